"""Router misuse: including itself, twice, one with another parent, a cycle, none at all."""

from harness import catch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
a = JobRouter(prefix="a")
b = JobRouter(prefix="b")
c = JobRouter()
d = JobRouter()
c.include_router(d)

out = {
    "self": catch(a.include_router, a),
    "app_no_router": catch(app.include_routers),
    "router_no_router": catch(a.include_routers),
    "first": catch(app.include_router, a),
    "twice": catch(app.include_router, a),
    "twice_via_routers": catch(app.include_routers, a),
    "has_parent": catch(b.include_router, a),
    "cycle": catch(d.include_router, c),
    "app_itself": catch(app.include_router, app),
    "a_parent_is_app": a.parent is app,
    "b_parent": b.parent is None,
}
report(out)
