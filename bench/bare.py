"""The yardstick: a bare aiohttp app answering one small GET."""

import sys

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="<ok/>", content_type="application/xml")


app = web.Application()
app.router.add_get("/hello", hello)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
