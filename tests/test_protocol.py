"""Both emulated APIs plug into the core through emulator/api.py: every member the
EmulatedApi Protocol requires, and every optional hook the core looks for, is there
with the Protocol's parameters. mypy proves the types (app.default_apis returns
them as EmulatedApi); this proves, at run time, that nothing was forgotten."""

import inspect
import types

import pytest

from emulator.api import (
    EmulatedApi,
    HasControlActions,
    HasControlRoutes,
    HasRecordKinds,
    HasResponseContract,
    HasTryIt,
)
from emulator.app import default_apis
from emulator.customerid.api import CustomerIdApi
from emulator.dfs.api import DfsApi

HOOKS = (HasResponseContract, HasControlRoutes, HasControlActions, HasTryIt, HasRecordKinds)
APIS = (CustomerIdApi, DfsApi)


def members(protocol: type) -> list[str]:
    """The names a Protocol declares: its annotated attributes, properties and methods."""
    declared = set(getattr(protocol, "__annotations__", {}))
    declared |= {name for name, value in vars(protocol).items() if callable(value) or isinstance(value, property)}
    return sorted(name for name in declared if not name.startswith("_"))


def methods(protocol: type) -> list[str]:
    return [name for name in members(protocol) if inspect.isfunction(vars(protocol).get(name))]


def parameters(function) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def test_the_required_members_are_the_documented_ones():
    assert members(EmulatedApi) == [
        "bind",
        "build_model",
        "collections",
        "default_settings",
        "dump_scenario_section",
        "endpoints",
        "error_response",
        "load_scenario_section",
        "name",
        "scenario_schema",
        "summary_counts",
        "url_prefixes",
        "warm_up",
    ]


@pytest.mark.parametrize("api_class", APIS, ids=lambda cls: cls.__name__)
def test_each_api_satisfies_the_protocol_and_every_hook(api_class):
    api = api_class()
    assert isinstance(api, EmulatedApi)
    for hook in HOOKS:
        assert isinstance(api, hook), f"{api_class.__name__} lacks {hook.__name__}"
    for protocol in (EmulatedApi, *HOOKS):
        for name in methods(protocol):
            declared = parameters(vars(protocol)[name])
            assert parameters(getattr(api, name)) == declared, f"{api_class.__name__}.{name} takes other parameters"


def test_default_apis_are_the_two_apis():
    assert sorted(type(api).__name__ for api in default_apis()) == ["CustomerIdApi", "DfsApi"]


@pytest.mark.parametrize("missing", members(EmulatedApi))
def test_an_api_missing_a_required_member_does_not_satisfy_it(missing):
    api = CustomerIdApi()
    complete = {name: getattr(api, name) for name in members(EmulatedApi)}
    assert isinstance(types.SimpleNamespace(**complete), EmulatedApi)
    del complete[missing]
    assert not isinstance(types.SimpleNamespace(**complete), EmulatedApi)


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_an_api_without_a_hook_is_not_taken_for_one(hook):
    api = DfsApi()
    others = {name: getattr(api, name) for protocol in HOOKS if protocol is not hook for name in members(protocol)}
    assert not isinstance(types.SimpleNamespace(**others), hook)
