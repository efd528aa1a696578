#!/usr/bin/env python3
"""Prints what smdebug-rulesconfig (the package the SageMaker SDK builds rule configurations from)
says about the built-in rules, as JSON, for RuleCatalogueTests to compare with Rules/:
    {"debug": {rule: [CollectionConfigurations]}, "profiler": {rule: {parameter: str(default) or null}},
     "groups": {framework: [rule, ...]}}
"""
import inspect
import json
import os

import smdebug_rulesconfig
from smdebug_rulesconfig.profiler_rules import rules as profiler_rules

folder = os.path.join(os.path.dirname(smdebug_rulesconfig.__file__), "debugger_rules", "rule_config_jsons")
with open(os.path.join(folder, "ruleConfigs.json")) as f:
    configs = json.load(f)
with open(os.path.join(folder, "ruleGroups.json")) as f:
    groups = json.load(f)

debug = {name: c.get("CollectionConfigurations", []) for name, c in configs.items()}
profiler = {}
for name, cls in inspect.getmembers(profiler_rules, inspect.isclass):
    if cls.__module__ != profiler_rules.__name__ or name == "ProfilerRuleBase":
        continue
    params = dict(cls().rule_parameters)
    params.pop("rule_to_invoke")
    profiler[name] = {k: (None if v is None else str(v)) for k, v in params.items()}
print(json.dumps({"debug": debug, "profiler": profiler,
                  "groups": {fw: g["SIMPLE"] for fw, g in groups.items()}}, sort_keys=True))
