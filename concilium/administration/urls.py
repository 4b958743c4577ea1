"""The administration screens, under /administration/: accounts, hospitals, networks and expert groups."""

from django.urls import path

from concilium.administration.views import directory, groups, users

app_name = "administration"

urlpatterns = [
    # accounts (views/users.py): the helpdesk and network admins
    path("users/", users.user_list, name="users"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/suspend/", users.user_suspend_view, name="user_suspend"),
    path("users/<int:pk>/reactivate/", users.user_reactivate_view, name="user_reactivate"),
    path("users/<int:pk>/second-factor/", users.user_second_factor_view, name="user_second_factor_reset"),
    path("users/<int:pk>/sessions/", users.user_sessions_view, name="user_sessions_end"),
    # hospitals and networks (views/directory.py)
    path("hospitals/", directory.hospital_list, name="hospitals"),
    path("hospitals/new/", directory.hospital_new, name="hospital_new"),
    path("hospitals/<int:pk>/", directory.hospital_edit, name="hospital_edit"),
    path("networks/", directory.network_list, name="networks"),
    path("networks/new/", directory.network_new, name="network_new"),
    path("networks/<int:pk>/", directory.network_edit, name="network_edit"),
    # expert groups (views/groups.py): network admins, for the networks they administer
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/rule/", groups.group_rule, name="group_rule"),
    path("groups/<int:pk>/members/", groups.group_member_add_view, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/role/",
        groups.group_member_role,
        name="group_member_role",
    ),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/remove/",
        groups.group_member_remove_view,
        name="group_member_remove",
    ),
]
