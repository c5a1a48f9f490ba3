"""SmartRetry fields and defaults, and compute_delay(attempt) values without jitter (and bounds with it)."""

from harness import catch, report

from jobify import SmartRetry


def delays(policy: SmartRetry, attempts: range) -> list:
    return [[policy.compute_delay(a), type(policy.compute_delay(a)).__name__] for a in attempts]


default = SmartRetry(3)
jittered = SmartRetry(5, initial_delay=1.0, max_delay=8.0)
samples = [jittered.compute_delay(a) for a in (1, 2, 3, 4, 5) for _ in range(50)]
report(
    {
        "fields": list(SmartRetry._fields),
        "defaults": repr(default),
        "tuple": [repr(v) for v in default],
        "plain": delays(SmartRetry(5, initial_delay=0.5, jitter=False), range(0, 7)),
        "capped": delays(
            SmartRetry(9, initial_delay=1, max_delay=5, backoff_factor=3, jitter=False), range(1, 6)
        ),
        "floats": delays(
            SmartRetry(3, initial_delay=0.2, max_delay=1.5, backoff_factor=1.5, jitter=False),
            range(1, 5),
        ),
        "factor_one": delays(
            SmartRetry(3, initial_delay=0.3, backoff_factor=1, jitter=False), range(1, 4)
        ),
        "negative_attempt": catch(SmartRetry(3, jitter=False).compute_delay, -1),
        "jitter_within_cap": all(0 <= s <= 8.0 for s in samples),
        "jitter_at_least_half": all(
            jittered.compute_delay(a) >= min(1.0 * 2 ** (a - 1), 8.0) / 2
            for a in (1, 2, 3, 4)
            for _ in range(50)
        ),
        "jitter_varies": len(set(samples)) > 10,
        "hashable_equal": SmartRetry(2) == SmartRetry(2)
        and hash(SmartRetry(2)) == hash(SmartRetry(2)),
    }
)
