def test_the_login_page_is_the_start_for_anonymous_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
