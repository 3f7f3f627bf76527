//! MLflow tracking: local directory store and REST API, with offline replay
