#!/usr/bin/env python3
"""Writes Dashboards/trainscope-training-job.json, the Grafana dashboard over trainscope's /metrics.

    python3 scripts/gen_dashboards.py            # rewrites the committed file
    python3 scripts/gen_dashboards.py --check    # exit 1 if the committed file differs

The dashboard is data: this script only lays the panels out (grid positions, ids) so that they stay
consistent when one is added. Tests/EndToEndTests/DashboardTests.swift checks the committed file:
every query parses (promtool), and every query returns series from a real Prometheus scraping a
real `trainscope run` (the GPU panels need a GPU).
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'training_job=~"$training_job", host=~"$host"'


def target(expr, legend, ref="A", instant=False):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": not instant}
    if instant:
        t["instant"] = True
    return t


def timeseries(title, description, targets, unit="short", w=12, h=8, stack=False, min0=False, repeat=None):
    custom = {"lineWidth": 1, "fillOpacity": 10, "showPoints": "never", "spanNulls": True}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    defaults = {"unit": unit, "custom": custom}
    if min0:
        defaults["min"] = 0
    p = {"type": "timeseries", "title": title, "description": description, "datasource": DS,
         "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": []},
         "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                     "tooltip": {"mode": "multi", "sort": "desc"}},
         "_w": w, "_h": h}
    if repeat:
        p["repeat"] = repeat
        p["repeatDirection"] = "h"
        p["maxPerRow"] = 2
    return p


def stat(title, description, targets, unit="short", w=6, h=4, text_mode="value", color_mode="value"):
    return {"type": "stat", "title": title, "description": description, "datasource": DS, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "textMode": text_mode, "colorMode": color_mode, "graphMode": "none", "justifyMode": "auto"},
            "_w": w, "_h": h}


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_w": 24, "_h": 1}


PANELS = [
    row("Training job"),
    stat("Status", "TrainingJobStatus, as DescribeTrainingJob reports it.",
         [target(f'max by (status) (trainscope_training_job_status{{{SEL}}}) == 1', "{{status}}", instant=True)],
         text_mode="name", color_mode="background"),
    stat("Training time", "Since the training process started.",
         [target(f'time() - max(trainscope_training_start_time_seconds{{{SEL}}})', "running", instant=True)], unit="s"),
    stat("Values stored", "MetricDefinitions values committed to SQLite.",
         [target(f'sum(trainscope_store_samples_total{{{SEL}}})', "stored", instant=True)]),
    stat("Store errors", "Failed SQLite commits (each batch is retried; a full disk shows here).",
         [target(f'sum(trainscope_store_errors_total{{{SEL}}})', "errors", instant=True)]),

    row("MetricDefinitions (from the training process's log)"),
    timeseries("$metric", "The latest value of each MetricDefinition, as SageMaker would chart it.",
               [target(f'trainscope_training_metric{{{SEL}, metric=~"$metric"}}', "{{host}} {{source}}")],
               repeat="metric"),
    timeseries("Values per second", "Values extracted per second, per metric.",
               [target(f'sum by (metric) (rate(trainscope_training_metric_samples_total{{{SEL}}}[$__rate_interval]))', "{{metric}}")],
               unit="ops", min0=True),
    timeseries("Lines that matched but did not parse", "A regex matched, but its group is not a number (per second).",
               [target(f'sum by (metric) (rate(trainscope_metric_parse_failures_total{{{SEL}}}[$__rate_interval]))', "{{metric}} parse"),
                target(f'sum by (metric) (rate(trainscope_metric_match_errors_total{{{SEL}}}[$__rate_interval]))', "{{metric}} match error", ref="B")],
               unit="ops", min0=True),

    row("Log pipeline"),
    timeseries("Log lines per second", "Lines read from the training process's output (run: stream; tail: source file).",
               [target(f'sum by (stream, source) (rate(trainscope_log_lines_total{{{SEL}}}[$__rate_interval]))', "{{stream}}{{source}}")],
               unit="ops", w=8, min0=True),
    timeseries("Extraction lag", "Bytes written by the training process and not yet through extraction.",
               [target(f'trainscope_extraction_lag_bytes{{{SEL}}}', "{{stream}}{{source}}")], unit="bytes", w=8, min0=True),
    timeseries("Bytes not extracted", "Forwarded but not spooled (a full disk), per second.",
               [target(f'sum by (stream) (rate(trainscope_log_dropped_bytes_total{{{SEL}}}[$__rate_interval]))', "{{stream}}")],
               unit="Bps", w=8, min0=True),

    row("System (ProfilerConfig)"),
    timeseries("CPU", "Per-core busy share averaged over cores, and the container's use of its CPU limit.",
               [target(f'avg by (host) (trainscope_system_cpu_utilization_ratio{{{SEL}}})', "{{host}} cores"),
                target(f'trainscope_container_cpu_utilization_ratio{{{SEL}}}', "{{host}} container", ref="B")],
               unit="percentunit", w=8, min0=True),
    timeseries("Memory", "Host memory in use, and the container's working set over its limit.",
               [target(f'trainscope_system_memory_utilization_ratio{{{SEL}}}', "{{host}} host"),
                target(f'trainscope_container_memory_utilization_ratio{{{SEL}}}', "{{host}} container", ref="B")],
               unit="percentunit", w=8, min0=True),
    timeseries("Training process", "Resident memory of the training process and its descendants.",
               [target(f'trainscope_process_tree_resident_memory_bytes{{{SEL}}}', "{{host}}")], unit="bytes", w=8, min0=True),
    timeseries("GPU utilization", "NVML: share of the sample period in which a kernel ran, per GPU.",
               [target(f'trainscope_system_gpu_utilization_ratio{{{SEL}}}', "{{host}} {{gpu}}")], unit="percentunit", min0=True),
    timeseries("GPU memory", "NVML: memory in use over total, per GPU.",
               [target(f'trainscope_system_gpu_memory_utilization_ratio{{{SEL}}}', "{{host}} {{gpu}}")], unit="percentunit", min0=True),
    timeseries("Disk", "Bytes read and written per second.",
               [target(f'trainscope_system_disk_read_bytes_per_second{{{SEL}}}', "{{host}} read"),
                target(f'trainscope_system_disk_write_bytes_per_second{{{SEL}}}', "{{host}} write", ref="B")], unit="Bps", min0=True),
    timeseries("Network", "Bytes received and sent per second (all interfaces but loopback).",
               [target(f'trainscope_system_network_receive_bytes_per_second{{{SEL}}}', "{{host}} receive"),
                target(f'trainscope_system_network_transmit_bytes_per_second{{{SEL}}}', "{{host}} transmit", ref="B")], unit="Bps", min0=True),

    row("Debugger (DebugHookConfig, DebugRuleConfigurations)"),
    stat("Rule evaluations", "RuleEvaluationStatus of each rule configuration trainscope evaluates (InProgress while the job runs).",
         [target(f'max by (rule, status) (trainscope_rule_evaluation_status{{{SEL}}}) == 1', "{{rule}}: {{status}}", instant=True)],
         w=24, text_mode="name", color_mode="background"),
    timeseries("Scalar tensors", "The latest saved value of each one-element tensor (losses, metrics, reductions).",
               [target(f'trainscope_trial_scalar{{{SEL}}}', "{{tensor}} {{mode}} {{worker}}")]),
    timeseries("Trial steps", "The last complete step: global, and per mode.",
               [target(f'trainscope_trial_last_step{{{SEL}}}', "{{mode}}")], w=6),
    timeseries("Tensor ingestion", "Tensors saved per second through the ingestion API, and requests refused.",
               [target(f'rate(trainscope_tensors_saved_total{{{SEL}}}[$__rate_interval])', "saved"),
                target(f'rate(trainscope_tensor_requests_rejected_total{{{SEL}}}[$__rate_interval])', "refused", ref="B")],
               unit="ops", w=6, min0=True),
]


def layout(panels):
    """Left to right, wrapping at Grafana's 24 columns; a row starts a new line."""
    out, x, y, line_height = [], 0, 0, 0
    for pid, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if p["type"] == "row" or x + w > 24:
            x, y, line_height = 0, y + line_height, 0
        p["id"] = pid
        p["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        if p["type"] == "row":
            y += h
        else:
            x += w
            line_height = max(line_height, h)
        out.append(p)
    return out


def variable(name, label, query, multi, include_all):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "definition": query, "query": {"query": query, "refId": f"{name}-query"},
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all,
            "allValue": ".*" if include_all else None, "current": {}, "options": [], "hide": 0}


def dashboard():
    return {
        "title": "trainscope: training job",
        "uid": "trainscope-training-job",
        "description": "A SageMaker-style training job watched by trainscope: status, MetricDefinitions, "
                       "the log pipeline, system profiler and Debugger trial. Data: trainscope's /metrics, scraped by Prometheus.",
        "tags": ["trainscope", "sagemaker", "training"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "10s",
        "timezone": "",
        "links": [],
        "annotations": {"list": []},
        "templating": {"list": [
            {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []},
            variable("training_job", "Training job", "label_values(trainscope_training_job_status, training_job)", False, False),
            variable("host", "Host", 'label_values(trainscope_training_job_status{training_job=~"$training_job"}, host)', True, True),
            variable("metric", "Metric", 'label_values(trainscope_training_metric{training_job=~"$training_job"}, metric)', True, True),
        ]},
        "panels": layout(PANELS),
    }


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Dashboards", "trainscope-training-job.json")
    text = json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{path} differs from what scripts/gen_dashboards.py writes", file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
