"""The reference MLP in Keras (TensorFlow CPU), compiled and trained by `model.fit` as the
reference notebook did.

Dense(256) -> BatchNorm -> ReLU -> Dropout(0.2) -> Dense(128) -> ... -> Dense(10, softmax),
Keras' default initialisers, Adam 1e-3, sparse categorical cross-entropy with accuracy,
batch 256, validation data, ReduceLROnPlateau and EarlyStopping on the validation loss.
`verbose=0` (the notebook printed a progress bar; that only costs Keras more). An epoch's time
runs from `on_epoch_begin` to `on_epoch_end`, so it covers the training pass and the
validation pass, like ours. Test-set evaluation is `model.evaluate`.
"""

import os
import sys
import time

import common

ARGS = common.parse_args(__doc__)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402  (threads must be set before TensorFlow starts)
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
tf.config.threading.set_inter_op_parallelism_threads(ARGS.threads)


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []
        self.started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def build_model():
    layers = [keras.Input(shape=(784,))]
    for width in (256, 128):
        layers += [
            keras.layers.Dense(width),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dropout(0.2),
        ]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main():
    keras.utils.set_random_seed(ARGS.seed)
    (x, y), (xv, yv), (xt, yt) = common.load(ARGS.data, ARGS.seed)
    model = build_model()
    timer = EpochTimer()
    callbacks = [
        timer,
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-6),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
    ]
    history = model.fit(
        x, y, batch_size=256, epochs=ARGS.epochs, validation_data=(xv, yv),
        callbacks=callbacks, verbose=0,
    )
    eval_seconds = []
    for _ in range(ARGS.eval_repeats):
        started = time.perf_counter()
        _, test_accuracy = model.evaluate(xt, yt, batch_size=ARGS.eval_batch_size, verbose=0)
        eval_seconds.append(time.perf_counter() - started)
    common.report(
        {
            "epoch_seconds": timer.seconds,
            "eval_seconds": eval_seconds,
            "threads": ARGS.threads,
            "val_accuracy": history.history["val_accuracy"][-1],
            "version": f"keras {keras.__version__}, tensorflow {tf.__version__}",
        }
    )


if __name__ == "__main__":
    sys.exit(main())
