"""Replaying a cassette against an emulator: in order, in a namespace of its own,
with the recorded ids swapped for the emulator's as they are learnt, so a
create → query → update → delete sequence addresses what the emulator created."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode

import aiohttp
from yarl import URL

from .cassette import Exchange
from .diff import Difference, TreeComparer, id_kind, is_id_name
from .documents import parse
from .naming import OperationNamer
from .recorder import HOP_BY_HOP
from .rules import Rules
from .scrub import MARK

UUID_ANYWHERE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NAMESPACE_HEADER = "X-Emulator-Namespace"


@dataclass(frozen=True)
class Conflict:
    """A pairing the replay refused: the recorded id already stood for another of the
    emulator's ids (or that id for another recorded one). The first pairing is kept."""

    seq: int
    recorded: str
    emulated: str
    kept: str  # what the map already said

    def __str__(self) -> str:
        return f"#{self.seq}: {self.recorded} ↔ {self.emulated} not learnt ({self.kept} already)"

    def to_json(self) -> dict:
        return {"seq": self.seq, "recorded": self.recorded, "emulated": self.emulated, "kept": self.kept}


class IdMap:
    """Recorded id -> emulator id, learnt pair by pair, the first confident pairing
    winning. UUIDs (and ids a rules file declares, a document's placeholders) are
    swapped wherever they appear; integer ids only where the endpoint tables or the
    field name say an id of that kind stands: a ``{roleId}`` path parameter, a
    ``tenantId`` query parameter, a ``RoleId`` JSON member. A ``DefaultMenuItemId`` of
    12 never rewrites tenant 12."""

    def __init__(self, declared: tuple[tuple[str, str], ...] = ()) -> None:
        self.uuids: dict[str, str] = {}
        self.integers: dict[tuple[str, str], str] = {}  # (kind, recorded) -> emulated
        self.declared: dict[str, str] = {recorded: emulated for recorded, emulated in declared}
        self._declared_folded = {recorded.casefold(): emulated for recorded, emulated in declared}
        self._declared_pattern = (
            re.compile(
                r"(?<![\w-])("
                + "|".join(re.escape(name) for name in sorted(self.declared, key=len, reverse=True))
                + r")(?![\w-])",
                re.IGNORECASE,
            )
            if self.declared
            else None
        )
        self._sources: dict[tuple[str, str], str] = {}  # (space, emulated) -> recorded: one recorded id each
        self.conflicts: list[Conflict] = []

    @property
    def ids(self) -> dict[str, str]:
        """Every pairing, for the report: recorded -> emulated."""
        flat = {recorded: emulated for (_, recorded), emulated in self.integers.items()}
        return {**self.declared, **self.uuids, **flat}

    def lookup(self, kind: str, recorded: str) -> str | None:
        if UUID_ANYWHERE.fullmatch(recorded):
            return self.uuids.get(recorded.lower())
        if recorded.casefold() in self._declared_folded:
            return self._declared_folded[recorded.casefold()]
        if recorded.isdigit():
            return self.integers.get((kind, recorded))
        return None

    def learn(self, pairs: list[tuple[str, str, str]], seq: int = 0) -> None:
        for kind, recorded, emulated in pairs:
            if recorded.casefold() in self._declared_folded:
                continue  # declared before the replay: not relearnt
            if UUID_ANYWHERE.fullmatch(recorded):
                table, key, space = self.uuids, recorded.lower(), "uuid"
            elif recorded.isdigit() and kind:
                table, key, space = self.integers, (kind, recorded), kind  # type: ignore[assignment]
            else:
                continue  # not an id this map can swap
            kept = table.get(key)
            source = self._sources.get((space, emulated.lower()))
            if kept == emulated or (kept is None and source == key):
                continue
            if kept is not None or source is not None:
                self.conflicts.append(Conflict(seq, recorded, emulated, kept or f"{emulated} is {source}"))
                continue
            table[key] = emulated
            self._sources[(space, emulated.lower())] = key

    def _uuid(self, match: re.Match) -> str:
        return self.uuids.get(match.group().lower(), match.group())

    def text(self, text: str) -> str:
        if self.uuids:
            text = UUID_ANYWHERE.sub(self._uuid, text)
        if self._declared_pattern is not None:
            text = self._declared_pattern.sub(lambda match: self._declared_folded[match.group().casefold()], text)
        return text

    def path(self, path: str, parameters: dict[str, str] | None = None) -> str:
        """``parameters``: the path parameters of the operation's URL template, in order
        (naming.OperationNamer.parameters); an integer segment is swapped only where one
        named ``…Id`` stands, with that parameter's kind."""
        pending = list((parameters or {}).items())
        segments = []
        for segment in path.split("/"):
            kind = None
            if pending and unquote(segment) == pending[0][1]:
                name = pending.pop(0)[0]
                kind = id_kind(name) if is_id_name(name) else None
            if segment.isdigit():
                segments.append(self.integers.get((kind, segment), segment) if kind else segment)
            else:
                segments.append(self.text(segment))
        return "/".join(segments)

    def query(self, query: str) -> str:
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        swapped = [
            (
                name,
                self.integers.get((id_kind(name), value), value)
                if value.isdigit() and is_id_name(name)
                else self.text(value),
            )
            for name, value in pairs
        ]
        return urlencode(swapped) if swapped != pairs else query

    def body(self, body: bytes, media_type: str, resource: str = "") -> bytes:
        if not body:
            return body
        if media_type.endswith("json"):
            try:
                document = json.loads(body)
            except ValueError:
                return body
            swapped = self._json(document, "", resource)
            return json.dumps(swapped, ensure_ascii=False).encode("utf-8") if swapped != document else body
        if media_type == "application/x-www-form-urlencoded":
            return self.query(body.decode("utf-8", "replace")).encode("utf-8")
        text = body.decode("utf-8", "replace")
        swapped_text = self.text(text)
        return swapped_text.encode("utf-8") if swapped_text != text else body

    def _json(self, value, name: str, resource: str):
        if isinstance(value, dict):
            return {key: self._json(item, key, resource) for key, item in value.items()}
        if isinstance(value, list):
            return [self._json(item, name, resource) for item in value]
        if isinstance(value, int) and not isinstance(value, bool) and is_id_name(name):
            mapped = self.integers.get((id_kind(name) or resource, str(value)))
            return value if mapped is None else int(mapped) if mapped.isdigit() else mapped
        if isinstance(value, str):
            return self.text(value)
        return value


def resource_kind(template: str) -> str:
    """The kind of entity an operation is about: its last ``{…Id}`` parameter's, else its
    last literal segment's (``/v2.0/roles`` → ``role``)."""
    for segment in reversed([part for part in template.split("/") if part]):
        if segment.startswith("{"):
            name = segment.strip("{}").split(":", 1)[0]
            if is_id_name(name):
                return id_kind(name)
            continue
        if not segment.startswith("v") or not segment[1:2].isdigit():
            return id_kind(segment)
    return ""


@dataclass
class ExchangeResult:
    exchange: Exchange
    status: int | None = None
    differences: list[Difference] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.differences


def compare_answer(
    exchange: Exchange,
    status: int,
    headers,
    body: bytes,
    rules: Rules,
    *,
    resource: str = "",
    known: IdMap | None = None,
) -> tuple[list[Difference], list[tuple[str, str, str]]]:
    """The differences between the recorded answer and this one, and the ids it pairs
    (kind, recorded, emulated). ``resource``: the kind of entity the operation is about;
    ``known``: the id map so far, by which list items are told apart."""
    recorded = exchange.response
    media_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def comparer() -> TreeComparer:
        return TreeComparer(
            rules,
            exchange.operation,
            resource=resource,
            known=known.lookup if known is not None else None,
            single_entity=exchange.request.method.upper() != "GET",
        )

    if recorded.status != status:
        differences = [Difference("status", "", recorded.status, status)]
        # the error code says more than the status: compare it when both are error documents
        outcome = comparer().compare(parse(recorded.raw_body, recorded.media_type), parse(body, media_type))
        differences += [difference for difference in outcome.differences if difference.kind == "error-code"]
        return differences, []
    differences = []
    if recorded.media_type != media_type and (recorded.raw_body.strip() or body.strip()):
        differences.append(Difference("content-type", "", recorded.media_type, media_type))
    for name in ("Location",):
        if (recorded.header(name) is None) != (headers.get(name) is None):
            differences.append(Difference("header", name, recorded.header(name), headers.get(name)))
    outcome = comparer().compare(parse(recorded.raw_body, recorded.media_type), parse(body, media_type))
    pairs = list(outcome.id_pairs)
    recorded_location, emulated_location = recorded.header("Location"), headers.get("Location")
    if recorded_location and emulated_location:
        pairs += [
            (resource, a, b)
            for a, b in zip(recorded_location.rstrip("/").split("/"), emulated_location.rstrip("/").split("/"))
            if a != b and (a.isdigit() or UUID_ANYWHERE.fullmatch(a))
        ]
    return differences + outcome.differences, pairs


TOKEN_SERVERS = ("sso", "identity")  # the versions in the endpoint tables that are OAuth2 token servers
MINT_ROUTES = {"customerid": "/__emulator/customerid/tokens", "dfs": "/__emulator/dfs/token"}


@dataclass(frozen=True)
class OAuthAccounts:
    """What scrubbed OAuth2 credentials become on replay: each API's token-server client
    (id, secret) and the SSO user of a password grant, from the scenario."""

    clients: dict[str, tuple[str, str]] = field(default_factory=dict)
    user: tuple[str, str] | None = None


class Replayer:
    """Sends the cassette's requests to ``base_url`` in a fresh namespace."""

    def __init__(
        self,
        base_url: str,
        rules: Rules,
        customerid_credentials: tuple[str, str] | None,
        control_token: str | None = None,
        oauth: OAuthAccounts | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.rules = rules
        self.credentials = customerid_credentials
        self.oauth = oauth or OAuthAccounts()
        # api -> {"access_token": ..., "refresh_token": ...}: what the replay's own token answers issued
        self.tokens: dict[str, dict[str, str]] = {}
        self.namespace = f"drift-{uuid.uuid4().hex[:12]}"
        self.control_headers = {NAMESPACE_HEADER: self.namespace}
        if control_token:
            self.control_headers["Authorization"] = f"Bearer {control_token}"
        self.ids = IdMap(rules.ids)
        self.namer = OperationNamer()

    async def run(self, exchanges: list[Exchange]) -> list[ExchangeResult]:
        results = []
        async with aiohttp.ClientSession(auto_decompress=True) as session:
            try:
                # created by a control request: with a control token set, an API request may not create it
                async with session.post(f"{self.base_url}/__emulator/reset", headers=self.control_headers):
                    pass
                for exchange in exchanges:
                    results.append(await self._replay(session, exchange))
            finally:
                async with session.delete(
                    f"{self.base_url}/__emulator/namespaces/{self.namespace}", headers=self.control_headers
                ):
                    pass
        return results

    async def _authorization(self, session: aiohttp.ClientSession, exchange: Exchange, value: str) -> str | None:
        """A scrubbed credential becomes one the emulator accepts, of the same scheme."""
        if MARK not in value:
            return value
        scheme = value.split(" ", 1)[0]
        client = self.oauth.clients.get(exchange.api or "") if exchange.version in TOKEN_SERVERS else None
        account = client or self.credentials
        if scheme.casefold() == "basic" and account:
            return aiohttp.encode_basic_auth(*account)
        if scheme.casefold() == "bearer":
            return f"Bearer {await self._access_token(session, exchange.api or 'dfs')}"
        return None

    async def _access_token(self, session: aiohttp.ClientSession, api: str) -> str:
        """The token the replay's token server last issued for ``api``, else one minted for it."""
        issued = self.tokens.setdefault(api, {})
        if "access_token" not in issued and api in MINT_ROUTES:
            async with session.post(self.base_url + MINT_ROUTES[api], json={}, headers=self.control_headers) as answer:
                issued["access_token"] = (await answer.json())["access_token"] if answer.status == 200 else ""
        return issued.get("access_token", "")

    async def _token_form(self, session: aiohttp.ClientSession, exchange: Exchange, body: bytes) -> bytes:
        """A token server's form with scrubbed values: the scenario's client and user, the
        replay's own refresh token, its own access token to introspect."""
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if not any(value == MARK for _, value in pairs):
            return body
        api = exchange.api or ""
        client, user = self.oauth.clients.get(api), self.oauth.user
        replaced = []
        for name, value in pairs:
            if value == MARK:
                folded = name.casefold()
                if folded == "client_secret" and client:
                    value = client[1]
                elif folded in ("username", "password") and user:
                    value = user[0] if folded == "username" else user[1]
                elif folded == "refresh_token":
                    value = self.tokens.get(api, {}).get("refresh_token", value)
                elif folded in ("token", "access_token"):
                    value = await self._access_token(session, api)
            elif name.casefold() == "client_id" and client and ("client_secret", MARK) in pairs:
                value = client[0]
            replaced.append((name, value))
        return urlencode(replaced).encode("utf-8")

    def _learn_tokens(self, exchange: Exchange, status: int, body: bytes) -> None:
        if exchange.version not in TOKEN_SERVERS or status != 200:
            return
        try:
            issued = json.loads(body)
        except ValueError:
            return
        if isinstance(issued, dict):
            self.tokens.setdefault(exchange.api or "", {}).update(
                {name: issued[name] for name in ("access_token", "refresh_token") if isinstance(issued.get(name), str)}
            )

    async def _replay(self, session: aiohttp.ClientSession, exchange: Exchange) -> ExchangeResult:
        request = exchange.request
        headers = {}
        for name, value in request.headers:
            folded = name.casefold()
            if folded in HOP_BY_HOP or folded in ("accept-encoding", "cookie", NAMESPACE_HEADER.casefold()):
                continue
            if folded == "authorization":
                accepted = await self._authorization(session, exchange, value)
                if accepted is None:
                    continue
                value = accepted
            headers[name] = value
        headers[NAMESPACE_HEADER] = self.namespace
        template, parameters = self.namer.parameters(request.method, unquote(request.path))
        resource = resource_kind(template)
        path = self.ids.path(request.path, parameters)
        query = self.ids.query(request.query)
        body = self.ids.body(request.raw_body, request.media_type, resource)
        if exchange.version in TOKEN_SERVERS and request.media_type == "application/x-www-form-urlencoded":
            body = await self._token_form(session, exchange, body)
        url = URL(self.base_url + path + (f"?{query}" if query else ""), encoded=True)
        try:
            async with session.request(
                request.method, url, headers=headers, data=body or None, allow_redirects=False
            ) as answer:
                answer_body = await answer.read()
                status, answer_headers = answer.status, answer.headers
        except (aiohttp.ClientError, TimeoutError) as error:  # the emulator dropped it: a severe drift
            return ExchangeResult(
                exchange,
                None,
                [Difference("transport", "", exchange.response.status, f"no answer: {error or type(error).__name__}")],
            )
        self._learn_tokens(exchange, status, answer_body)
        differences, pairs = compare_answer(
            exchange, status, answer_headers, answer_body, self.rules, resource=resource, known=self.ids
        )
        self.ids.learn(pairs, exchange.seq)
        return ExchangeResult(exchange, status, differences)
