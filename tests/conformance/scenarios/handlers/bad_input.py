"""Handler mappings with non-callables or non-exception keys; JobRouter has no add_exception_handler."""

from harness import catch, report

from jobify import Jobify, JobRouter


def kind(value: object) -> str:
    return "built" if value is not None else "none"


def handler(error, context):
    return None


app = Jobify(storage=False)
report(
    {
        "app_not_callable": catch(
            lambda: kind(Jobify(storage=False, exception_handlers={ValueError: 1}))
        ),
        "app_not_exception": catch(
            lambda: kind(Jobify(storage=False, exception_handlers={int: handler}))
        ),
        "app_list": catch(lambda: kind(Jobify(storage=False, exception_handlers=[1]))),
        "add_not_callable": catch(app.add_exception_handler, ValueError, 5),
        "add_not_exception": catch(app.add_exception_handler, "x", handler),
        "add_base_exception": catch(app.add_exception_handler, BaseException, handler),
        "task_not_callable": catch(
            lambda: kind(app.task(exception_handlers={ValueError: 3})(lambda: 1))
        ),
        "router_not_callable": catch(lambda: kind(JobRouter(exception_handlers={ValueError: 3}))),
        "router_has_add": hasattr(JobRouter(), "add_exception_handler"),
    }
)
