"""`@app.task(...)` with an option it does not know: refused at declaration, or accepted."""

from harness import catch, report

from jobify import Jobify

app = Jobify(storage=False)


def job() -> int:
    return 1


report(
    {
        "unknown_option": catch(lambda: app.task(job, retries=3) and "declared"),
        "known_options": catch(lambda: app.task(job, name="job2", retry=3) and "declared"),
    }
)
