"""Reads the one run of a pipeline's MLflow directory store with the real MLflow client and
prints what the Rust test asserts on, as JSON.

usage: read_pipeline_run.py STORE_DIR
"""

import json
import os
import sys

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

from mlflow.tracking import MlflowClient  # noqa: E402

client = MlflowClient(tracking_uri="file://" + os.path.abspath(sys.argv[1]))
experiment = client.get_experiment_by_name("fashion-mnist")
runs = client.search_runs(
    [experiment.experiment_id],
    filter_string="params.`model.kind` = 'mlp' and metrics.test_accuracy > 0.5 "
    "and tags.`mlflow.source.type` = 'LOCAL'",
)
run = runs[0]
history = client.get_metric_history(run.info.run_id, "val_loss")
print(json.dumps({
    "runs": len(runs),
    "status": run.info.status,
    "params": run.data.params,
    "test_accuracy": run.data.metrics["test_accuracy"],
    "val_loss_steps": sorted(point.step for point in history),
    "note": run.data.tags.get("mlflow.note.content", ""),
    "artifacts": sorted(a.path for a in client.list_artifacts(run.info.run_id)),
}))
