"""The yardstick: a bare aiohttp app answering one small GET, and one small POST
that reads its body (the reference for write workloads)."""

import sys

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="<ok/>", content_type="application/xml")


async def echo_length(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(text=f"<ok length='{len(body)}'/>", content_type="application/xml", status=201)


app = web.Application()
app.router.add_get("/hello", hello)
app.router.add_post("/hello", echo_length)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
