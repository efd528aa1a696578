#!/usr/bin/env python3
"""What smdebug 1.0.34 saves under a DebugHookConfig: the hook-side half of a PyTorch hook, built from
smdebug's own parsing (smdebug.core.json_config), SaveConfig/ReductionConfig/Collection classes and
match_inc, without torch (the PyTorch hook module imports it). BaseHook.__init__,
_prepare_collections, _get_collections_to_save_for_step and _get_collections_with_tensor are
followed line by line.

    python hook_decisions.py CONFIG.json NAMES.json
NAMES.json: {"names": [...], "steps": {"TRAIN": [..], "EVAL": [..]}}
Prints {"include_collections", "collections": {name: {...}}, "decisions": {"name|MODE|step": [colls]}}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _smdebug_env  # noqa: E402,F401

from smdebug.core.collection import (  # noqa: E402
    DEFAULT_PYTORCH_COLLECTIONS, NON_HISTOGRAM_COLLECTIONS, NON_REDUCTION_COLLECTIONS, CollectionKeys)
from smdebug.core.collection_manager import CollectionManager  # noqa: E402
from smdebug.core.json_config import (  # noqa: E402
    add_collections_to_manager, collect_hook_config_params, get_include_collections)
from smdebug.core.modes import ModeKeys  # noqa: E402
from smdebug.core.reduction_config import ReductionConfig  # noqa: E402
from smdebug.core.save_config import SaveConfig  # noqa: E402
from smdebug.core.utils import flatten, match_inc  # noqa: E402


def pytorch_collection_manager():
    """smdebug.pytorch.collection.CollectionManager._register_default_collections."""
    cm = CollectionManager()
    for c in DEFAULT_PYTORCH_COLLECTIONS:
        cm.create_collection(c)
    cm.get(CollectionKeys.WEIGHTS).include("^(?!gradient).*weight")
    cm.get(CollectionKeys.BIASES).include("^(?!gradient).*bias")
    cm.get(CollectionKeys.GRADIENTS).include("^gradient")
    cm.get(CollectionKeys.LOSSES).include("[Ll]oss_(?!input).*output")
    return cm


def main():
    params_dict = json.load(open(sys.argv[1]))
    query = json.load(open(sys.argv[2]))
    # create_hook_from_json_config
    hook_params = collect_hook_config_params(params_dict)
    reduction_config = hook_params.get("reduction_config", None)
    save_config = SaveConfig.from_dict(hook_params.get("save_config_modes"), None)
    include_regex = hook_params.get("include_regex")
    include_collections = get_include_collections(params_dict)
    save_all = hook_params.get("save_all", False)
    # BaseHook.__init__ (PyTorch: default_include_collections = [losses])
    default_include = [CollectionKeys.LOSSES]
    cm = pytorch_collection_manager()
    include_collections = default_include if include_collections is None else flatten(include_collections)
    include = list(set(include_collections).union(set(default_include)))
    save_config = SaveConfig.parse(save_config)
    if reduction_config is None:
        reduction_config = ReductionConfig(save_raw_tensor=True)
    if include_regex is not None:
        cm.get(CollectionKeys.DEFAULT).include(include_regex)
        if CollectionKeys.DEFAULT not in include:
            include.append(CollectionKeys.DEFAULT)
    if save_all:
        cm.get(CollectionKeys.ALL).include(".*")
        if CollectionKeys.ALL not in include:
            include.append(CollectionKeys.ALL)
    add_collections_to_manager(cm, params_dict, hook_params)
    # _prepare_collections
    to_save = set()
    for c_name, c in cm.get_collections().items():
        if c_name not in DEFAULT_PYTORCH_COLLECTIONS and not c.include_regex and not c.tensor_names:
            raise SystemExit(f"InvalidCollectionConfiguration {c_name}")
        if CollectionKeys.ALL in include or c_name in include:
            to_save.add(c)
    for c_name, c in cm.get_collections().items():
        if c_name in NON_HISTOGRAM_COLLECTIONS:
            c.save_histogram = False
        if c.save_config is None:
            c.save_config = save_config
        else:
            c.save_config.merge_default_save_config(save_config)
        if c_name in NON_REDUCTION_COLLECTIONS:
            c.reduction_config = ReductionConfig(save_raw_tensor=True)
        elif c.reduction_config is None:
            c.reduction_config = reduction_config
    out = {"include_collections": sorted(include), "collections": {}, "decisions": {}}
    for name, c in cm.get_collections().items():
        out["collections"][name] = {
            "include_regex": list(c.include_regex), "save_histogram": c.save_histogram,
            "reduction_config": c.reduction_config.to_json_dict(), "save_config": c.save_config.to_json_dict()}
    for mode_name, steps in query["steps"].items():
        mode = ModeKeys[mode_name]
        for step in steps:
            # _get_collections_to_save_for_step
            colls = set()
            for coll in to_save:
                if mode in (ModeKeys.EVAL, ModeKeys.PREDICT) and coll.name in (
                        CollectionKeys.GRADIENTS, CollectionKeys.OPTIMIZER_VARIABLES):
                    continue
                if coll.save_config.should_save_step(mode, step):
                    colls.add(coll)
            for tname in query["names"]:
                # _get_collections_with_tensor
                with_tensor = {c for c in to_save if tname in c.tensor_names or match_inc(tname, c.include_regex)}
                saved = sorted(c.name for c in with_tensor & colls)
                if saved:
                    out["decisions"][f"{tname}|{mode_name}|{step}"] = saved
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
