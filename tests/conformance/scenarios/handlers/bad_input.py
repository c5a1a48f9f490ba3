"""Exception handlers: a list instead of a mapping, BaseException, valid handlers on the app and a router."""

from harness import catch, report

from jobify import Jobify, JobRouter


def kind(value: object) -> str:
    return "built" if value is not None else "none"


def handler(error, context):
    return None


app = Jobify(storage=False)
# non-callables and non-exception keys, and JobRouter.add_exception_handler:
# differences/handlers_refused_values
report(
    {
        "app_list": catch(lambda: kind(Jobify(storage=False, exception_handlers=[1]))),
        "add_base_exception": catch(app.add_exception_handler, BaseException, handler),
        "add_valid": catch(app.add_exception_handler, ValueError, handler),
        "router_valid": catch(lambda: kind(JobRouter(exception_handlers={ValueError: handler}))),
    }
)
