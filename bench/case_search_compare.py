"""Compare, in one run, the "My cases" search before and after the folded search text (December 2026).

Runs against the database that `bench/cases.py` leaves behind (run that first, with the same DATABASE_URL):
it times the matching-ids query as it was (UPPER(...) LIKE over every patient's pseudonym, diagnosis and
code, and over every reference) and as it is (`cases.selectors._search_ids`: the folded search text read
from the patients' list index), alternating the two on the same random searches of the biggest hospital.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_cases \
        .venv/bin/python bench/case_search_compare.py
"""

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("CONCILIUM_DATA_DIR", "/tmp/concilium-bench-compare")

ROUNDS = 100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[int(fraction * (len(ordered) - 1))]


def main() -> None:
    import django

    django.setup()
    from django.db.models import Count, Q

    from concilium.accounts.models import User
    from concilium.cases.models import Case
    from concilium.cases.permissions import CasePolicy
    from concilium.cases.selectors import SEARCH_MATCHES, _search_ids
    from concilium.patients.models import DiagnosisCode, Patient

    biggest = Case.objects.values("hospital_id").annotate(n=Count("id")).order_by("-n").first()
    if biggest is None:
        raise SystemExit("no cases: run bench/cases.py first, with the same DATABASE_URL")
    hospital = biggest["hospital_id"]
    user = User.objects.filter(hospital_id=hospital, role="clinician").first()
    cases = CasePolicy.visible_at_own_hospital(user).order_by("-created_at", "-id")

    def before(q: str) -> list[int]:
        patients = Patient.objects.filter(hospital_id=hospital).filter(
            Q(pseudonym__iexact=q) | Q(diagnosis__icontains=q) | Q(diagnosis_code__code__iexact=q)
        )
        matches = cases.filter(Q(reference__icontains=q) | Q(patient_id__in=patients.values("pk")))
        return list(matches.values_list("pk", flat=True)[:SEARCH_MATCHES])

    def after(q: str) -> list[int]:
        return _search_ids(cases, q, hospital_id=hospital)

    rng = random.Random(7)
    patients = list(Patient.objects.filter(hospital_id=hospital).values_list("pseudonym", "diagnosis"))
    references = list(Case.objects.filter(hospital_id=hospital).values_list("reference", flat=True))
    words = sorted({word for _, diagnosis in patients for word in diagnosis.split() if len(word) > 5})
    codes = list(DiagnosisCode.objects.values_list("code", flat=True))
    kinds: dict[str, Callable[[], str]] = {
        "reference": lambda: rng.choice(references),
        "pseudonym": lambda: rng.choice(patients)[0],
        "diagnosis word": lambda: rng.choice(words),
        "code": lambda: rng.choice(codes),
        "no match": lambda: f"zzqx{rng.randint(10, 99)}",
    }
    print(f"{len(references):,} cases, {len(patients):,} patients at the hospital; {ROUNDS} searches each\n")
    print("| search | before: p50 / p95 ms | after: p50 / p95 ms | p95 before / after |")
    print("|---|---:|---:|---:|")
    for kind, make in kinds.items():
        timings: dict[str, list[float]] = {"before": [], "after": []}
        for round_ in range(ROUNDS):
            q = make()
            order = ((before, "before"), (after, "after"))
            for search, label in order if round_ % 2 else order[::-1]:
                started = time.perf_counter()
                search(q)
                timings[label].append((time.perf_counter() - started) * 1000)
        old, new = timings["before"], timings["after"]
        print(
            f"| {kind} | {percentile(old, 0.5):.1f} / {percentile(old, 0.95):.1f} "
            f"| {percentile(new, 0.5):.1f} / {percentile(new, 0.95):.1f} "
            f"| {percentile(old, 0.95) / percentile(new, 0.95):.1f} |"
        )


if __name__ == "__main__":
    main()
