"""JobStatus is a str enum: its values, `str()`, f-strings, equality with plain strings, lookup."""

from enum import Enum

from harness import catch, report

from jobify import JobStatus

report(
    {
        "members": [m.name for m in JobStatus],
        "values": [m.value for m in JobStatus],
        "str": [str(m) for m in JobStatus],
        "format": f"{JobStatus.SUCCESS}",
        "eq_str": JobStatus.FAILED == "failed",
        "is_str": isinstance(JobStatus.RUNNING, str),
        "is_enum": isinstance(JobStatus.RUNNING, Enum),
        "lookup": catch(lambda: JobStatus("timeout").name),
        "lookup_bad": catch(JobStatus, "done"),
        "by_name": JobStatus["PERMANENTLY_FAILED"].value,
        "hashable_as_str": {"success": 1}.get(JobStatus.SUCCESS),
        "upper": JobStatus.CANCELLED.upper(),
    }
)
