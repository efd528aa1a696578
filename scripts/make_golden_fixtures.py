#!/usr/bin/env python3
"""Writes the golden extraction fixtures: Tests/LogMetricsTests/Fixtures/<case>/.

Each case folder holds
  definitions.json  SageMaker MetricDefinitions, [{"Name": ..., "Regex": ...}]
  input.log         the raw log bytes (TABs, CRs, NULs, invalid UTF-8 written from here)
  expected.jsonl    the output of scripts/reference_extract.py on the two files above

Every case also states, by hand, the values it is meant to produce (`want`) and its parse
failures (`failures`); the script stops when the reference output says anything else, so
expected.jsonl is checked against the intent of the case and not only regenerated.

Usage: make_golden_fixtures.py [--check] [--out DIR]
  --check   write nothing; exit 1 when a fixture on disk differs from what would be written
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "Tests", "LogMetricsTests", "Fixtures")
REFERENCE = os.path.join(HERE, "reference_extract.py")

# SageMaker's built-in XGBoost definitions, verbatim.
XGB_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
XGB_TRAIN_RMSE = r".*\[[0-9]+\].*#011train-rmse:" + XGB_NUMBER + r".*"
XGB_VALIDATION_RMSE = r".*\[[0-9]+\].*#011validation-rmse:" + XGB_NUMBER + r".*"
XGB_VALIDATION_AUC = r".*\[[0-9]+\].*#011validation-auc:(\S+)"

CASES = []


def case(name, definitions, want, lines=None, data=None, failures=None):
    """Registers a case. `lines` are joined with b"\\n" plus a final b"\\n"; `data` is used as is.
    `want` lists (line number, metric name, JSON value text); "NaN", "Infinity", "-Infinity"
    stand for the JSON strings."""
    if data is None:
        data = b"".join(line + b"\n" for line in lines)
    CASES.append({"name": name, "definitions": [{"Name": n, "Regex": r} for n, r in definitions],
                  "data": data, "want": want, "failures": failures or {}})


T = b"\t"

case("xgboost_tab",
     [("train:rmse", XGB_TRAIN_RMSE), ("validation:rmse", XGB_VALIDATION_RMSE),
      ("validation:auc", XGB_VALIDATION_AUC)],
     lines=[
         b"INFO:root:Single node training.",
         b"[0]#011train-rmse:0.41234#011validation-rmse:0.50121",  # already escaped text
         b"[1]" + T + b"train-rmse:0.40012" + T + b"validation-rmse:0.49876",  # real TABs
         b"[2]" + T + b"train-rmse:1.5e-03" + T + b"validation-rmse:2E-3",
         b"[3] train-rmse:0.3 validation-rmse:0.4",  # spaces, not TABs: no match
         b"train-rmse:0.3" + T + b"validation-rmse:0.4",  # no [n]: no match
         b"[4]" + T + b"train-rmse:0.2" + T + b"train-rmse:0.1",  # greedy .* -> last one
         b"[5]" + T + b"train-rmse:nan" + T + b"validation-rmse:inf",  # number pattern: no match
         b"[0] NCCL INFO Channel 00/02 :    0   1",
         b"[0]" + T + b"train-auc:0.8512" + T + b"validation-auc:0.8412",
         b"[1]" + T + b"validation-auc:0.8600" + T + b"validation-error:0.1400",  # (\S+) runs on
         b"[2]#011train-auc:0.91#011validation-auc:0.9100 ",
         b"[3]" + T + b"train-auc:0.92" + T + b"validation-auc:0.9200\r",  # ends in #015
     ],
     want=[(2, "train:rmse", "0.41234"), (2, "validation:rmse", "0.50121"),
           (3, "train:rmse", "0.40012"), (3, "validation:rmse", "0.49876"),
           (4, "train:rmse", "0.0015"), (4, "validation:rmse", "0.002"),
           (7, "train:rmse", "0.1"),
           (10, "validation:auc", "0.8412"),
           (12, "validation:auc", "0.91")],
     failures={"validation:auc": 2})

BAR_1 = u"\r  0%|          | 0/3 [00:00<?, ?it/s]".encode()
BAR_2 = u"\r 33%|\u2588\u2588\u2588\u258e      | 1/3 [00:01<00:02,  1.00it/s, loss=0.9]".encode()
BAR_3 = u"\r 67%|\u2588\u2588\u2588\u2588\u2588\u2588\u258b   | 2/3 [00:02<00:01,  1.00it/s, loss=0.7]".encode()
BAR_4 = u"\r100%|\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588| 3/3 [00:03<00:00,  1.00it/s, loss=0.5]".encode()
case("cr_progress_bar",
     [("loss:last", r".*loss=([0-9.]+)"), ("loss:first", r"loss=([0-9.]+)"),
      ("loss:token", r"loss=(\S+)")],
     lines=[
         BAR_1 + BAR_2 + BAR_3 + BAR_4,
         b"step 1 loss=0.9\rstep 2 loss=0.8\rstep 3 loss=0.7",
         b"loss=0.6",
         u"\r 50%|\u2588\u2588\u2588\u2588\u2588     | 1/2\r100%|\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588| 2/2".encode(),
         u"Epoch 2: 100%|\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588| 3/3 [00:03<00:00, loss=0.45, v_num=0]".encode(),
     ],
     want=[(1, "loss:last", "0.5"), (1, "loss:first", "0.9"),
           (2, "loss:last", "0.7"), (2, "loss:first", "0.9"),
           (3, "loss:last", "0.6"), (3, "loss:first", "0.6"), (3, "loss:token", "0.6"),
           (5, "loss:last", "0.45"), (5, "loss:first", "0.45")],
     # line 1: "0.9]", line 2: "0.9#015step", line 5: "0.45,"
     failures={"loss:token": 3})

case("hf_dicts",
     [("train:loss", r"'loss': ([^,}]+)"), ("grad_norm", r"'grad_norm': ([^,}]+)"),
      ("learning_rate", r"'learning_rate': ([0-9.eE+-]+)"), ("epoch", r"'epoch': ([0-9.]+)"),
      ("eval:loss", r"'eval_loss': ([^,}]+)"), ("eval:accuracy", r"'eval_accuracy': ([0-9.]+)"),
      ("eval:samples_per_second", r"'eval_samples_per_second': ([0-9.]+)")],
     lines=[
         b"{'loss': 0.6931, 'grad_norm': nan, 'learning_rate': 5e-05, 'epoch': 0.1}",
         b"{'loss': 0.5123, 'grad_norm': 1.8734, 'learning_rate': 4.5e-05, 'epoch': 0.2}",
         b"{'loss': 0.4012, 'grad_norm': tensor(0.9300, device='cuda:0'), 'learning_rate': 4e-05, 'epoch': 0.3}",
         u"\r 40%|\u2588\u2588\u2588\u2588      | 40/100 [00:04<00:06,  9.90it/s]"
         u"{'loss': 0.3501, 'grad_norm': 0.75, 'learning_rate': 3.5e-05, 'epoch': 0.4}".encode(),
         b"{'eval_loss': 0.3876, 'eval_accuracy': 0.8812, 'eval_runtime': 1.234, "
         b"'eval_samples_per_second': 810.2, 'eval_steps_per_second': 25.3, 'epoch': 1.0}",
         b"{'loss': 0.0, 'grad_norm': inf, 'learning_rate': 0.0, 'epoch': 1.0}",
         b"{'train_runtime': 12.3456, 'train_samples_per_second': 162.0, 'train_steps_per_second': 5.1, "
         b"'train_loss': 0.4521, 'epoch': 1.0}",
         b"{'eval_loss': nan, 'eval_accuracy': 0.5, 'epoch': 1.0}",
     ],
     want=[(1, "train:loss", "0.6931"), (1, "grad_norm", "NaN"), (1, "learning_rate", "5e-05"), (1, "epoch", "0.1"),
           (2, "train:loss", "0.5123"), (2, "grad_norm", "1.8734"), (2, "learning_rate", "4.5e-05"), (2, "epoch", "0.2"),
           (3, "train:loss", "0.4012"), (3, "learning_rate", "4e-05"), (3, "epoch", "0.3"),
           (4, "train:loss", "0.3501"), (4, "grad_norm", "0.75"), (4, "learning_rate", "3.5e-05"), (4, "epoch", "0.4"),
           (5, "epoch", "1.0"), (5, "eval:loss", "0.3876"), (5, "eval:accuracy", "0.8812"),
           (5, "eval:samples_per_second", "810.2"),
           (6, "train:loss", "0.0"), (6, "grad_norm", "Infinity"), (6, "learning_rate", "0.0"), (6, "epoch", "1.0"),
           (7, "epoch", "1.0"),
           (8, "epoch", "1.0"), (8, "eval:loss", "NaN"), (8, "eval:accuracy", "0.5")],
     failures={"grad_norm": 1})  # "tensor(0.9300"

KERAS_PARTIAL = b" 50/100 [==============>...............] - ETA: 1s - loss: 0.6000 - accuracy: 0.6000"
case("keras",
     [("epoch", r"^Epoch ([0-9]+)/[0-9]+"),
      ("train:loss", r" - loss: ([-+0-9.eE]+|nan)"), ("train:accuracy", r" - accuracy: ([0-9.]+)"),
      ("validation:loss", r"val_loss: ([-+0-9.eE]+|nan)"), ("validation:accuracy", r"val_accuracy: ([0-9.]+)"),
      ("step_ms", r"([0-9]+)ms/step")],
     lines=[
         b"Epoch 1/5",
         b"100/100 [==============================] - 2s 20ms/step - loss: 0.6931 - accuracy: 0.5012"
         b" - val_loss: 0.6800 - val_accuracy: 0.5500",
         b"Epoch 2/5",
         # dynamic display: a stale partial update, backspaces, \r, then the final update
         KERAS_PARTIAL + b"\b" * len(KERAS_PARTIAL) + b"\r"
         b"100/100 [==============================] - 2s 19ms/step - loss: 0.5432 - accuracy: 0.7001"
         b" - val_loss: 0.5600 - val_accuracy: 0.6900",
         b"Epoch 3/5",
         b"100/100 - 2s - loss: 4.5e-03 - accuracy: 0.9990 - val_loss: 5.1e-03 - val_accuracy: 0.9980"
         b" - 2s/epoch - 20ms/step",
         b"Epoch 4/5",
         u"100/100 \u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501 2s 20ms/step - accuracy: 0.9995"
         u" - loss: 0.0021 - val_accuracy: 0.9990 - val_loss: 0.0030".encode(),
         b"Epoch 5/5",
         b"100/100 [==============================] - 2s 21ms/step - loss: nan - accuracy: 0.5000"
         b" - val_loss: nan - val_accuracy: 0.5000",
         b"Epoch 00005: val_loss improved from 0.0040 to 0.0030, saving model to /opt/ml/model/ckpt",
     ],
     want=[(1, "epoch", "1.0"),
           (2, "train:loss", "0.6931"), (2, "train:accuracy", "0.5012"), (2, "validation:loss", "0.68"),
           (2, "validation:accuracy", "0.55"), (2, "step_ms", "20.0"),
           (3, "epoch", "2.0"),
           # the first match on the line is the stale partial update (0.6); val_* only in the final one
           (4, "train:loss", "0.6"), (4, "train:accuracy", "0.6"), (4, "validation:loss", "0.56"),
           (4, "validation:accuracy", "0.69"), (4, "step_ms", "19.0"),
           (5, "epoch", "3.0"),
           (6, "train:loss", "0.0045"), (6, "train:accuracy", "0.999"), (6, "validation:loss", "0.0051"),
           (6, "validation:accuracy", "0.998"), (6, "step_ms", "20.0"),
           (7, "epoch", "4.0"),
           (8, "train:loss", "0.0021"), (8, "train:accuracy", "0.9995"), (8, "validation:loss", "0.003"),
           (8, "validation:accuracy", "0.999"), (8, "step_ms", "20.0"),
           (9, "epoch", "5.0"),
           (10, "train:loss", "NaN"), (10, "train:accuracy", "0.5"), (10, "validation:loss", "NaN"),
           (10, "validation:accuracy", "0.5"), (10, "step_ms", "21.0")])

case("key_value",
     [("step", r"\bstep=([0-9]+)"), ("loss", r"\bloss=(\S+)"), ("lr", r"\blr=(\S+)"),
      ("grad_norm", r"\bgrad_norm=(\S+)"), ("throughput", r"throughput=([0-9.]+) samples/s")],
     lines=[
         b"step=10 loss=1.5e-3 lr=+3E+02 grad_norm=-inf throughput=812.5 samples/s",
         b"step=20 loss=0.25 lr=3e-4 grad_norm=0.93 throughput=790 samples/s",
         b"step=30 val_loss=0.3 loss=0.2",  # \b: no boundary between "_" and "l"
         b"step=40 loss=0.18, lr=2.9e-4, grad_norm=1.1",  # (\S+) keeps the commas
         b"[rank0]: step=50 loss=0.17 lr=2.8e-04 grad_norm=nan throughput=805.25 samples/s",
         b"step=60 loss= 0.16",  # \S+ cannot start on the space
         b"mystep=70 myloss=1 throughput=12 samples/sec",
     ],
     want=[(1, "step", "10.0"), (1, "loss", "0.0015"), (1, "lr", "300.0"), (1, "grad_norm", "-Infinity"),
           (1, "throughput", "812.5"),
           (2, "step", "20.0"), (2, "loss", "0.25"), (2, "lr", "0.0003"), (2, "grad_norm", "0.93"),
           (2, "throughput", "790.0"),
           (3, "step", "30.0"), (3, "loss", "0.2"),
           (4, "step", "40.0"), (4, "grad_norm", "1.1"),
           (5, "step", "50.0"), (5, "loss", "0.17"), (5, "lr", "0.00028"), (5, "grad_norm", "NaN"),
           (5, "throughput", "805.25"),
           (6, "step", "60.0"),
           (7, "throughput", "12.0")],
     failures={"loss": 1, "lr": 1})

SCI = [  # (text after "value=", JSON value text)
    (b"1e-5", "1e-05"), (b"1E+03", "1000.0"), (b"-2.5", "-2.5"), (b"+.5", "0.5"), (b"5.", "5.0"),
    (b".5", "0.5"), (b"1e5", "100000.0"), (b"1.e3", "1000.0"), (b"-0", "-0.0"), (b"+0.0", "0.0"),
    (b"007", "7.0"), (b"2.5E+0", "2.5"), (b"0e0", "0.0"), (b"-.5e-1", "-0.05"),
    (b"+1.5e+10", "15000000000.0"), (b"1e16", "1e+16"), (b"1e15", "1000000000000000.0"),
    (b"9.5e15", "9500000000000000.0"),  # repr() stays positional below 1e16 (Swift's description: 9.5e+15)
    (b"0.0001", "0.0001"), (b"0.00001", "1e-05"),
    (b"123456789012345678901234567890", "1.2345678901234568e+29"),
    (b"9007199254740993", "9007199254740992.0"),  # 2^53+1 rounds to even
    (b"0.30000000000000004", "0.30000000000000004"),
    (b"3.14159265358979323846264338327950288", "3.141592653589793"),
    (b"1.7976931348623157e308", "1.7976931348623157e+308"),
    (b"1.7976931348623159e308", "Infinity"),  # past the rounding midpoint: overflows
    (b"1e400", "Infinity"), (b"-1e400", "-Infinity"), (b"1e-400", "0.0"),
    (b"4.9e-324", "5e-324"),
    (b"2.4703282292062328e-324", "5e-324"),  # just above half the smallest subnormal
    (b"2.4703282292062327e-324", "0.0"),  # just below it
]
case("sci_notation_and_signs",
     [("v", r"value=(\S+)"), ("padded", r"\[([^\]]*)\]")],
     lines=[b"value=" + text for text, _ in SCI] + [b"[  3.25  ]"],
     want=[(i + 1, "v", v) for i, (_, v) in enumerate(SCI)] + [(len(SCI) + 1, "padded", "3.25")])

NAN_INF = [(b"nan", "NaN"), (b"NaN", "NaN"), (b"NAN", "NaN"), (b"nAn", "NaN"), (b"-nan", "NaN"),
           (b"+nan", "NaN"), (b"inf", "Infinity"), (b"Inf", "Infinity"), (b"-inf", "-Infinity"),
           (b"+Infinity", "Infinity"), (b"INFINITY", "Infinity"), (b"infinity", "Infinity"),
           (b"-Infinity", "-Infinity"), (b"iNfInItY", "Infinity"), (b"+INF", "Infinity")]
NAN_INF_BAD = [b"infinit", b"nan(123)", b"NaNs", b"-+inf", b"infinityy", b"in", b"+-nan", b"na"]
case("nan_inf_spellings",
     [("v", r"metric=(\S+)")],
     lines=[b"metric=" + t for t, _ in NAN_INF] + [b"metric=" + t for t in NAN_INF_BAD],
     want=[(i + 1, "v", v) for i, (_, v) in enumerate(NAN_INF)],
     failures={"v": len(NAN_INF_BAD)})

NOT_VALUES = [b"1,000", b"0.5%", b"1_000", b"1e5_0", b"0x10", b"0b101", b"1e", b"1e+", b"e5", b".",
              b"--1", b"+-1", b"1.5.2", b"1e5.5", b"5L", b"1d", b"1f", b"infinite",
              u"\u0663".encode(),  # Arabic-Indic three: float() accepts it, SageMaker-style parsing does not
              u"\u0661\u0662\u066b\u0665".encode(),  # Arabic-Indic 12.5
              u"\uff11".encode()]  # fullwidth one
case("not_values",
     [("x", r"x=(\S+)"), ("f1", r"F1=(.*?)"), ("bracket", r"\[([^\]]*)\]")],
     lines=[b"x=" + t for t in NOT_VALUES] + [
         b"x=2",  # a real value among them
         b"F1=0.9",  # lazy group with nothing after it: captures ""
         b"[]", b"[   ]",
         b"[\t2.5\t]",  # TAB becomes "#011", which is not whitespace
         u"[\u00a01.5\u00a0]".encode(),  # NBSP is not ASCII whitespace
         b"[ 2.5 ]",  # spaces around a value are stripped
     ],
     want=[(len(NOT_VALUES) + 1, "x", "2.0"), (len(NOT_VALUES) + 7, "bracket", "2.5")],
     failures={"x": len(NOT_VALUES), "f1": 1, "bracket": 4})

case("unset_group",
     [("a", r"(?:a=(\d+)|b=\d+)"), ("opt", r"loss=([0-9.]+)?")],
     lines=[b"b=5", b"a=7",
            b"b=1 a=2",  # the first match is "b=1", whose group 1 is unset: nothing, and no retry
            b"a=3 b=4", b"loss=abc", b"loss=0.5", b"x=1"],
     want=[(2, "a", "7.0"), (4, "a", "3.0"), (6, "opt", "0.5")])

case("invalid_utf8",
     [("loss", r"loss=([0-9.]+)"), ("tok", r"tok=(\S+)"), ("val", r"val=(.+?);")],
     lines=[
         b"\xff\xfe loss=0.5 \xff",
         b"caf\xc3 loss=0.25",  # lone lead byte
         b"\xc0\xaf overlong slash, loss=0.125 \xe0\x80\xaf",
         b"tok=\xff1.0",
         b"tok=1.0\xc3",
         b"tok=2.0 \xed\xa0\x80 encoded surrogate",
         b"val=\xf8\x88\x80\x80\x80;",  # 5-byte form
         b"val=3.5; \x80\x81",
         b"\xf4\x90\x80\x80 beyond U+10FFFF loss=0.0625",
         u"valid UTF-8: caf\u00e9 na\u00efve loss=1 tok=2 val=3;".encode(),
         b"loss=\xff",
         b"\x80",
     ],
     want=[(1, "loss", "0.5"), (2, "loss", "0.25"), (3, "loss", "0.125"), (6, "tok", "2.0"),
           (8, "val", "3.5"), (9, "loss", "0.0625"),
           (10, "loss", "1.0"), (10, "tok", "2.0"), (10, "val", "3.0")],
     failures={"tok": 2, "val": 1})

case("nul_bytes",
     [("loss", r"loss=([0-9.]+)"), ("after_nul", r"#000value=([0-9.]+)"), ("tok", r"tok=(\S+)"),
      ("raw_nul", r"\x00loss=([0-9.]+)")],  # NUL is escaped before matching: never matches
     lines=[b"\x00\x00loss=0.5", b"loss=0.25\x00garbage", b"\x00value=7", b"tok=1.5\x00",
            b"ab\x00cd loss=1.0 tok=3", b"\x00", b"lo\x00ss=9"],
     want=[(1, "loss", "0.5"), (2, "loss", "0.25"), (3, "after_nul", "7.0"),
           (5, "loss", "1.0"), (5, "tok", "3.0")],
     failures={"tok": 1})

case("crlf",
     [("loss", r"loss=([0-9.]+)"), ("acc", r"acc=(\S+)"), ("lr_end", r"lr=([0-9.e-]+)$"),
      ("lr_end_cr", r"lr=([0-9.e-]+)#015$")],
     data=(b"loss=0.5 acc=0.9\r\n"  # acc captures "0.9#015"
           b"lr=0.001\r\n"
           b"loss=0.25 acc=0.95\n"
           b"lr=0.002\n"
           b"\r\n"
           b"acc=0.97 loss=0.125\r\n"),
     want=[(1, "loss", "0.5"), (2, "lr_end_cr", "0.001"), (3, "loss", "0.25"), (3, "acc", "0.95"),
           (4, "lr_end", "0.002"), (6, "loss", "0.125"), (6, "acc", "0.97")],
     failures={"acc": 1})

case("no_final_newline",
     [("loss", r"loss=([0-9.]+)")],
     data=b"\nloss=1\n\nloss=2\nloss=3",
     want=[(2, "loss", "1.0"), (4, "loss", "2.0"), (5, "loss", "3.0")])

case("empty_input", [("loss", r"loss=([0-9.]+)")], data=b"", want=[])

case("lookbehind",
     [("train:accuracy", r"(?<!val_)accuracy: ([0-9.]+)"), ("validation:accuracy", r"val_accuracy: ([0-9.]+)")],
     lines=[b"loss: 0.3 - accuracy: 0.91 - val_accuracy: 0.88",
            b"val_accuracy: 0.80 - accuracy: 0.85",
            b"top1_accuracy: 0.7",
            b"val_accuracy: 0.75",
            b"New best accuracy: 0.8123."],
     want=[(1, "train:accuracy", "0.91"), (1, "validation:accuracy", "0.88"),
           (2, "train:accuracy", "0.85"), (2, "validation:accuracy", "0.8"),
           (3, "train:accuracy", "0.7"), (4, "validation:accuracy", "0.75")],
     failures={"train:accuracy": 1})

case("multi_definition_order",
     [("z_last", r"c=([0-9.]+)"), ("a_first", r"a=([0-9.]+)"), ("m_mid", r"b=([0-9.]+)"),
      ("a_again", r"a=([0-9.]+)")],
     lines=[b"a=1 b=2 c=3", b"c=30", b"b=20 a=10", b"c=1 c=2 c=3"],
     want=[(1, "z_last", "3.0"), (1, "a_first", "1.0"), (1, "m_mid", "2.0"), (1, "a_again", "1.0"),
           (2, "z_last", "30.0"),
           (3, "a_first", "10.0"), (3, "m_mid", "20.0"), (3, "a_again", "10.0"),
           (4, "z_last", "1.0")])


def long_progress_line(min_bytes=300_000):
    """One tqdm run redrawn with \\r: the loss falls from 2.5; the last update carries lr=."""
    segments, size, k = [], 0, 0
    bar = u"\u2588" * 5 + u" " * 5
    while size < min_bytes:
        seg = (u"\r%3d%%|%s| %d/10000 [00:%02d<00:00, 99.00it/s, loss=%.4f]"
               % (k // 100, bar, k, k % 60, 2.5 * 0.999 ** k)).encode()
        segments.append(seg)
        size += len(seg)
        k += 1
    segments[-1] = segments[-1][:-1] + b", lr=1e-05]"
    return b"".join(segments), k


LONG, LONG_UPDATES = long_progress_line()
case("long_line",
     [("loss:last", r".*loss=([0-9.]+)"), ("loss:first", r"loss=([0-9.]+)"), ("lr", r"lr=([0-9.e-]+)")],
     lines=[b"Epoch 1:", LONG, b"loss=0.5"],
     want=[(2, "loss:last", repr(float("%.4f" % (2.5 * 0.999 ** (LONG_UPDATES - 1))))),
           (2, "loss:first", "2.5"), (2, "lr", "1e-05"),
           (3, "loss:last", "0.5"), (3, "loss:first", "0.5")])


def render_definitions(definitions):
    return (json.dumps(definitions, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def run_reference(folder):
    done = subprocess.run([sys.executable, REFERENCE, os.path.join(folder, "definitions.json"),
                           os.path.join(folder, "input.log")], capture_output=True, check=True)
    failures = {}
    for line in done.stderr.decode().splitlines():
        prefix = "parse failures: "
        assert line.startswith(prefix), line
        name, count = line[len(prefix):].rsplit("=", 1)
        failures[name] = int(count)
    return done.stdout, failures


def check_intent(c, expected, failures):
    """Compares the reference output with the values the case was written to produce."""
    got = []
    for text in expected.decode("utf-8").splitlines():
        record = json.loads(text, parse_float=str)
        value = record["value"]
        got.append((record["line"], record["name"], value))
        if value in ("NaN", "Infinity", "-Infinity"):
            canonical = '{"line": %d, "name": %s, "value": "%s"}' % (
                record["line"], json.dumps(record["name"], ensure_ascii=False), value)
        else:
            canonical = json.dumps({"line": record["line"], "name": record["name"], "value": float(value)},
                                   ensure_ascii=False)
        assert text == canonical, "%s: not canonical: %s" % (c["name"], text)
    problems = []
    if got != list(c["want"]):
        problems.append("values:\n  intended %s\n  reference %s" % (c["want"], got))
    if failures != c["failures"]:
        problems.append("parse failures: intended %s, reference %s" % (c["failures"], failures))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args()
    out = os.path.normpath(a.out)
    bad = 0
    for c in CASES:
        folder = os.path.join(out, c["name"])
        files = {"definitions.json": render_definitions(c["definitions"]), "input.log": c["data"]}
        if a.check:
            for name, content in files.items():
                path = os.path.join(folder, name)
                if not os.path.exists(path) or open(path, "rb").read() != content:
                    print("%s: %s is stale" % (c["name"], name))
                    bad += 1
        else:
            os.makedirs(folder, exist_ok=True)
            for name, content in files.items():
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(content)
        if a.check and bad:
            continue
        expected, failures = run_reference(folder)
        problems = check_intent(c, expected, failures)
        for p in problems:
            print("%s: %s" % (c["name"], p))
        bad += len(problems)
        path = os.path.join(folder, "expected.jsonl")
        if a.check:
            if not os.path.exists(path) or open(path, "rb").read() != expected:
                print("%s: expected.jsonl is stale" % c["name"])
                bad += 1
        elif not problems:
            with open(path, "wb") as f:
                f.write(expected)
        if not problems:
            print("%-24s %4d values, parse failures %s" % (c["name"], len(c["want"]), failures or "none"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
