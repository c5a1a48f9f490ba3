"""Jobify's constructor: keyword-only, unknown arguments refused, configs reflect what was given."""

from concurrent.futures import ThreadPoolExecutor

from harness import catch, report

from jobify import Jobify, JobifyConfiguration

pool = ThreadPoolExecutor(2)
app = Jobify(storage=False, threadpool_executor=pool)
report(
    {
        "positional": catch(lambda: Jobify(None) and "made"),
        "unknown": catch(lambda: Jobify(storage=False, bogus=1) and "made"),
        "configs_type": type(app.configs).__name__,
        "is_configuration": isinstance(app.configs, JobifyConfiguration),
        "started": app.configs.app_started,
        "plugins_type": type(app.plugins).__name__,
        "configs_app": app.configs.app is app,
    }
)
pool.shutdown()
