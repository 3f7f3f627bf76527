#!/bin/sh
# Runs a lean MLflow tracking server for the tests until standard input closes (the test
# process ended, however it ended), then stops the server's whole process group and
# removes its folder.
# usage: serve.sh PYTHON PORT DIR
python=$1
port=$2
dir=$3
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$python" -m mlflow server \
    --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$dir/mlflow.db" \
    --artifacts-destination "$dir/mlartifacts" >"$dir/server.log" 2>&1 &
server=$!
cat >/dev/null
kill -TERM "-$server" 2>/dev/null
tries=0
while kill -0 "-$server" 2>/dev/null && [ "$tries" -lt 50 ]; do
    sleep 0.2
    tries=$((tries + 1))
done
kill -KILL "-$server" 2>/dev/null
rm -rf "$dir"
