"""What ``make bench`` measures, as data: one row per workload, one entry per
emulator set-up. A new workload is one more ``Workload(...)`` line; a row with
``args`` (extra emulator command-line options) gets an emulator of its own.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

AUTH = "Basic " + base64.b64encode(b"restuser:secret").decode()
BASE = "/customerid-rest/services/2.1"
MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
MATTI = "aaaaaaaa-0000-4000-8000-000000000002"
ACME = "11111111-1111-4111-8111-111111111111"
ADMIN_IDENTITY = "01000000-0000-0000-0000-000000000000"  # DFS tenant admin in the default scenario
ADVISOR_ROLE = 3  # DFS "Advisor" role of the default scenario's Additiv tenant
BENCH_TENANT_UID = "b0000000-0000-4000-8000-000000000030"  # the generated DFS tenant below

DFS_BULK = """\
name: bench-dfs-{count}
seed: 7
dfs:
  tenants:
    bench:
      id: 30
      uid: {tenant_uid}
      name: Bench Tenant
      roles:
        bench-admin: {{shortName: Administrator, roleKey: admin, allowAllPolicies: true}}
        bench-advisor: {{shortName: Advisor, roleKey: advisor}}
      identities:
        bench-root: {{userName: bench.root, firstName: Bench, lastName: Root, role: bench-admin}}
      generate:
        - {{count: {count}, role: bench-advisor}}
"""

USERS_BULK = """\
name: bench-users-{count}
seed: 50000
customerid:
  generate:
    - organization: acme-sales
      users: {count}
      statuses: {{Enabled: 85, Disabled: 3, Locked: 2, Waiting for registration: 10}}
      roles: [acme-user]
      attributes: {{department: [Sales, Marketing, Support, Finance]}}
"""


@dataclass(frozen=True)
class Setup:
    """An emulator start: the scenarios it loads (files under the repository, or
    generated text) and how a DFS token is minted for it."""

    scenarios: tuple[str, ...]
    generated: dict[str, str] = field(default_factory=dict)  # file name -> YAML text
    dfs_token: dict = field(default_factory=dict)  # body of POST /__emulator/dfs/token

    def files(self, directory: Path) -> list[str]:
        for name, text in self.generated.items():
            (directory / name).write_text(text, encoding="utf-8")
        return [*self.scenarios, *(str(directory / name) for name in self.generated)]


DEFAULT = "default"  # built-in scenario names
SETUPS = {
    "default": Setup((DEFAULT,)),
    "users-50k": Setup((DEFAULT, "bulk-50k")),
    "users-100k": Setup((DEFAULT,), {"users-100k.yaml": USERS_BULK.format(count=100_000)}),
    "dfs-20k": Setup(
        (DEFAULT,),
        {"dfs-20k.yaml": DFS_BULK.format(count=20_000, tenant_uid=BENCH_TENANT_UID)},
        {"tenantUid": BENCH_TENANT_UID, "identityId": None},
    ),
    "dfs-100k": Setup(
        (DEFAULT,),
        {"dfs-100k.yaml": DFS_BULK.format(count=100_000, tenant_uid=BENCH_TENANT_UID)},
        {"tenantUid": BENCH_TENANT_UID, "identityId": None},
    ),
}


@dataclass(frozen=True)
class Workload:
    """One wrk run against one operation.

    ``body`` is sent as is; in ``unique_body``, and in ``path``, the ``{n}``
    becomes a number unique within the run (every POST creates something new). ``reference`` names the
    bare app's request the ratio is taken against, measured right before this row.
    ``slices`` splits a long run into that many equal runs back to back, to show
    whether throughput stays flat while the store grows. ``fault`` is installed
    (POST /__emulator/faults) before the run; ``expect`` is the status every answer
    must have."""

    name: str
    setup: str
    method: str
    path: str
    body: str | None = None
    unique_body: str | None = None
    auth: str = "basic"  # "basic" (CustomerID) or "dfs" (a minted Bearer token)
    reference: str = "GET"
    slices: int = 1
    seconds: int | None = None  # this row's duration in a full run (default: --seconds)
    fault: dict | None = None
    expect: int | None = None  # None: any 2xx
    args: tuple[str, ...] = ()  # extra emulator command-line options
    connections: int | None = None  # default: --connections (an answer of megabytes wants fewer)

    @property
    def content_type(self) -> str | None:
        body = self.body or self.unique_body
        if body is None:
            return None
        return "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"


DFS_SEARCH = '{"Page":1,"PageSize":10}'
DFS_CREATE = (
    '{"Username":"bench.{n}","FirstName":"Bench","LastName":"User{n}","Email":"bench.{n}@example.com",'
    f'"IdentityRoleId":{ADVISOR_ROLE}}}'
)

WORKLOADS = [
    Workload("GET105 Query User (XML)", "default", "GET", f"{BASE}/users/{MAIJA}"),
    # the price of --contract warn (docs/contract.md): the same answer, checked against cid-2.1.xsd
    Workload("GET105 with --contract warn", "default", "GET", f"{BASE}/users/{MAIJA}", args=("--contract", "warn")),
    Workload(
        "GET105 Query User, 503 fault",
        "default",
        "GET",
        f"{BASE}/users/{MAIJA}",
        expect=503,
        fault={"match": {"operation": "GET105"}, "action": {"kind": "status", "status": 503}},
    ),
    Workload(
        "PATCH124 Update User (JSON)",
        "default",
        "PATCH",
        f"{BASE}/users/{MATTI}",
        body='{"firstname":"Matti"}',
        reference="POST",
    ),
    Workload("DFS get identity", "default", "GET", f"/v1.0/identities/{ADMIN_IDENTITY}", auth="dfs"),
    Workload(
        "DFS create identity",
        "default",
        "POST",
        "/v1.2/identities",
        unique_body=DFS_CREATE,
        auth="dfs",
        reference="POST",
    ),
    # CustomerID reads POST100's parameters from the URL (a form body is ignored), as the docs' curl lines do
    Workload(
        "POST100 Create Organization",
        "default",
        "POST",
        f"{BASE}/organizations/?technicalName=bench-{{n}}&friendlyName=Bench+{{n}}",
        reference="POST",
        slices=6,
        seconds=60,
    ),
    Workload(
        "POST100 with --contract warn",
        "default",
        "POST",
        f"{BASE}/organizations/?technicalName=bench-{{n}}&friendlyName=Bench+{{n}}",
        reference="POST",
        args=("--contract", "warn"),
    ),
    Workload("GET105 on 50k users", "users-50k", "GET", f"{BASE}/users/{MAIJA}"),
    Workload(
        "GET104 status=Enabled (42,754 ids), 50k users",
        "users-50k",
        "GET",
        f"{BASE}/users?status=Enabled",
        connections=2,
    ),
    Workload(
        "GET104 status=Enabled&maxResults=10, 50k", "users-50k", "GET", f"{BASE}/users?status=Enabled&maxResults=10"
    ),
    Workload(
        "DFS search page of 10, 20k identities",
        "dfs-20k",
        "POST",
        "/v1.0/identities/search",
        body=DFS_SEARCH,
        auth="dfs",
    ),
    Workload(
        "DFS search page of 10, 100k identities",
        "dfs-100k",
        "POST",
        "/v1.0/identities/search",
        body=DFS_SEARCH,
        auth="dfs",
    ),
]
