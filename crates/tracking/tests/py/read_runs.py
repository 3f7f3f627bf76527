"""Reads runs back with the real MLflow Python client and prints what it sees as JSON.

Usage: python read_runs.py '<json spec>'
spec: {"uri": tracking URI, "runs": [run ids], "experiment": name,
       "filter": search_runs filter string or null,
       "download": [run id, artifact path] or null, "dst": folder for the download}
Metric values are printed with repr() so NaN and infinities survive JSON.
"""

import json
import sys

from mlflow.tracking import MlflowClient


def list_all(client, run_id, path=None):
    found = []
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            found.extend(list_all(client, run_id, item.path))
        else:
            found.append([item.path, item.file_size])
    return found


def describe(client, run_id):
    run = client.get_run(run_id)
    history = {}
    for key in run.data.metrics:
        points = client.get_metric_history(run_id, key)
        history[key] = [[p.step, repr(p.value), p.timestamp] for p in points]
    info = run.info
    return {
        "status": info.status,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "user_id": info.user_id,
        "params": run.data.params,
        "tags": run.data.tags,
        "history": history,
        "artifacts": sorted(list_all(client, run_id)),
    }


def main():
    spec = json.loads(sys.argv[1])
    client = MlflowClient(tracking_uri=spec["uri"])
    out = {"runs": {run_id: describe(client, run_id) for run_id in spec["runs"]}}
    out["experiments"] = sorted(e.name for e in client.search_experiments())
    experiment = client.get_experiment_by_name(spec["experiment"])
    if spec.get("filter"):
        found = client.search_runs([experiment.experiment_id], spec["filter"])
        out["search"] = [r.info.run_id for r in found]
    if spec.get("download"):
        run_id, path = spec["download"]
        local = client.download_artifacts(run_id, path, spec["dst"])
        with open(local, "rb") as handle:
            out["download_hex"] = handle.read().hex()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
