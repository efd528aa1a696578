#!/usr/bin/env python3
"""A small, real training job for the trainscope demo (Python 3 standard library only).

Trains a 1-hidden-layer MLP (2 -> H tanh -> 1 sigmoid, binary cross-entropy) with mini-batch
SGD and a cosine learning-rate decay on a seeded "two moons" data set, and prints its metrics
the way common frameworks do, so that one job definition can show several regex styles:

  stdout, every step     step=12 loss=0.6812 lr=0.0999605 grad_norm=0.4123 throughput=1587.3 samples/s
  stdout, every 10 steps {'loss': 0.6523, 'learning_rate': 0.0998, 'epoch': 0.2}         (HF Trainer)
  stdout, every epoch    Epoch 1/5                                                        (Keras)
                         50/50 [==============================] - 1s 20ms/step - loss: ... - val_accuracy: ...
                         {'eval_loss': 0.4567, 'eval_accuracy': 0.8, ..., 'epoch': 1.0} (HF Trainer)
  stderr                 a tqdm-like bar redrawn with "\\r", ended by "\\n" once per epoch

Hyperparameters come from argv (SageMaker passes HyperParameters as "--name value").
SIGTERM (what SageMaker sends at MaxRuntimeInSeconds or on StopTrainingJob) ends the job after
the current step with exit status 143; --fail-at-epoch N exits with status 3 halfway through
epoch N, to show a Failed job.
"""
import argparse
import json
import math
import os
import random
import signal
import sys
import time

HIDDEN = 16


def parse_args(argv):
    ap = argparse.ArgumentParser(description="trainscope demo: a tiny MLP trained with SGD")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--steps-per-epoch", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.1, help="initial learning rate (cosine decay to 10%%)")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--step-delay", type=float, default=0.02, help="seconds to sleep after each step")
    ap.add_argument("--fail-at-epoch", type=int, default=None, help="exit 3 halfway through this epoch")
    args, unknown = ap.parse_known_args(argv)
    if unknown:
        print("ignoring unknown arguments: %s" % " ".join(unknown), file=sys.stderr, flush=True)
    if args.epochs < 1 or args.steps_per_epoch < 1 or args.batch_size < 1:
        ap.error("--epochs, --steps-per-epoch and --batch-size must be at least 1")
    return args


def two_moons(n, rng, noise=0.2):
    """n points of two interleaved half circles, centred near the origin; labels 0 and 1."""
    data = []
    for i in range(n):
        label = i % 2
        t = rng.uniform(0.0, math.pi)
        if label == 0:
            x, y = math.cos(t), math.sin(t)
        else:
            x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
        data.append(((x - 0.5 + rng.gauss(0.0, noise), y - 0.25 + rng.gauss(0.0, noise)), label))
    rng.shuffle(data)
    return data


class MLP:
    def __init__(self, rng, inputs=2, hidden=HIDDEN):
        self.w1 = [[rng.gauss(0.0, 1.0 / math.sqrt(inputs)) for _ in range(inputs)] for _ in range(hidden)]
        self.b1 = [0.0] * hidden
        self.w2 = [rng.gauss(0.0, 1.0 / math.sqrt(hidden)) for _ in range(hidden)]
        self.b2 = 0.0
        self.velocity = None  # momentum buffers, same layout as flat()

    def flat(self):
        return [self.b2] + self.w2 + self.b1 + [w for row in self.w1 for w in row]

    def load(self, params):
        hidden, inputs = len(self.w2), len(self.w1[0])
        self.b2 = params[0]
        self.w2 = params[1:1 + hidden]
        self.b1 = params[1 + hidden:1 + 2 * hidden]
        rest = params[1 + 2 * hidden:]
        self.w1 = [rest[j * inputs:(j + 1) * inputs] for j in range(hidden)]

    def forward(self, x):
        h = [math.tanh(sum(w * xi for w, xi in zip(row, x)) + b) for row, b in zip(self.w1, self.b1)]
        z = sum(w * hi for w, hi in zip(self.w2, h)) + self.b2
        return h, z

    @staticmethod
    def loss_of(z, label):
        """Binary cross-entropy of logit z, computed without overflow."""
        return max(z, 0.0) - z * label + math.log1p(math.exp(-abs(z)))

    @staticmethod
    def prob(z):
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def evaluate(self, data):
        """(mean loss, accuracy) over data."""
        loss = correct = 0
        for x, label in data:
            _, z = self.forward(x)
            loss += self.loss_of(z, label)
            correct += (z > 0) == (label == 1)
        return loss / len(data), correct / len(data)

    def sgd_step(self, batch, lr, momentum):
        """One SGD-with-momentum step on batch; returns (mean loss, accuracy, gradient L2 norm)."""
        n = len(batch)
        g_w1 = [[0.0] * len(row) for row in self.w1]
        g_b1 = [0.0] * len(self.b1)
        g_w2 = [0.0] * len(self.w2)
        g_b2 = loss = correct = 0.0
        for x, label in batch:
            h, z = self.forward(x)
            loss += self.loss_of(z, label)
            correct += (z > 0) == (label == 1)
            dz = (self.prob(z) - label) / n
            g_b2 += dz
            for j, hj in enumerate(h):
                g_w2[j] += dz * hj
                dh = dz * self.w2[j] * (1.0 - hj * hj)
                g_b1[j] += dh
                for k, xk in enumerate(x):
                    g_w1[j][k] += dh * xk
        grad = [g_b2] + g_w2 + g_b1 + [g for row in g_w1 for g in row]
        if self.velocity is None:
            self.velocity = [0.0] * len(grad)
        self.velocity = [momentum * v + g for v, g in zip(self.velocity, grad)]
        self.load([p - lr * v for p, v in zip(self.flat(), self.velocity)])
        norm = math.sqrt(sum(g * g for g in grad))
        return loss / n, correct / n, norm


def progress_bar(done, total, started):
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed > 0 else 0.0
    filled = done * 10 // total
    left = (total - done) / rate if rate > 0 else 0.0
    return "\r%3d%%|%s%s| %d/%d [%02d:%02d<%02d:%02d, %6.2fit/s]" % (
        done * 100 // total, "\u2588" * filled, " " * (10 - filled), done, total,
        elapsed // 60, elapsed % 60, left // 60, left % 60, rate)


def main(argv):
    args = parse_args(argv)
    stop = {"signal": None}

    def on_sigterm(signum, frame):
        stop["signal"] = signum

    signal.signal(signal.SIGTERM, on_sigterm)

    greeting = os.environ.get("TRAINSCOPE_DEMO_GREETING")
    if greeting is not None:
        print("greeting: %s" % greeting, flush=True)
    print("Hyperparameters: %s" % json.dumps(vars(args), sort_keys=True), flush=True)

    rng = random.Random(args.seed)
    train = two_moons(2000, rng)
    validation = two_moons(500, rng)
    model = MLP(rng)
    print("Training on %d samples, validating on %d" % (len(train), len(validation)), flush=True)

    # Under `trainscope run` with a DebugHookConfig, TRAINSCOPE_URL names the tensor ingestion API: the
    # loss and the weights go there every step, and the hook configuration decides what is kept.
    tensors = None
    if os.environ.get("TRAINSCOPE_URL"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from trainscope_client import TrainScopeClient
        tensors = TrainScopeClient(errors="warn")

    total_steps = args.epochs * args.steps_per_epoch
    step = cursor = 0
    for epoch in range(1, args.epochs + 1):
        print("Epoch %d/%d" % (epoch, args.epochs), flush=True)
        epoch_started = time.perf_counter()
        epoch_loss = epoch_correct = 0.0
        window = []
        for i in range(1, args.steps_per_epoch + 1):
            if args.fail_at_epoch == epoch and i > args.steps_per_epoch // 2:
                sys.stderr.write("\n")
                print("Traceback (most recent call last):\n  File \"train.py\", in main\n"
                      "RuntimeError: simulated failure at epoch %d step %d (--fail-at-epoch)" % (epoch, step),
                      file=sys.stderr, flush=True)
                return 3
            step_started = time.perf_counter()
            if cursor + args.batch_size > len(train):
                rng.shuffle(train)
                cursor = 0
            batch = train[cursor:cursor + args.batch_size]
            cursor += args.batch_size
            lr = args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * step / total_steps)))
            loss, accuracy, grad_norm = model.sgd_step(batch, lr, args.momentum)
            if tensors is not None:
                tensors.save(step, {"loss": loss, "fc1.weight": [w for row in model.w1 for w in row],
                                    "fc2.weight": list(model.w2)}, mode="TRAIN")
            step += 1
            epoch_loss += loss
            epoch_correct += accuracy
            window.append(loss)
            if args.step_delay > 0:
                time.sleep(args.step_delay)
            seconds = time.perf_counter() - step_started
            print("step=%d loss=%.4f lr=%.6g grad_norm=%.4f throughput=%.1f samples/s"
                  % (step, loss, lr, grad_norm, len(batch) / max(seconds, 1e-9)), flush=True)
            if step % 10 == 0:
                print({"loss": round(sum(window) / len(window), 4), "learning_rate": float("%.6g" % lr),
                       "epoch": round(step / args.steps_per_epoch, 2)}, flush=True)
                window = []
            sys.stderr.write(progress_bar(i, args.steps_per_epoch, epoch_started))
            sys.stderr.flush()
            if stop["signal"] is not None:
                sys.stderr.write("\n")
                print("SIGTERM received at step %d: stopping early, exit 143" % step, flush=True)
                return 143
        sys.stderr.write("\n")
        sys.stderr.flush()

        epoch_seconds = time.perf_counter() - epoch_started
        eval_started = time.perf_counter()
        val_loss, val_accuracy = model.evaluate(validation)
        eval_seconds = max(time.perf_counter() - eval_started, 1e-9)
        print("%d/%d [==============================] - %ds %dms/step - loss: %.4f - accuracy: %.4f"
              " - val_loss: %.4f - val_accuracy: %.4f"
              % (args.steps_per_epoch, args.steps_per_epoch, round(epoch_seconds),
                 round(1000 * epoch_seconds / args.steps_per_epoch), epoch_loss / args.steps_per_epoch,
                 epoch_correct / args.steps_per_epoch, val_loss, val_accuracy), flush=True)
        print({"eval_loss": round(val_loss, 4), "eval_accuracy": round(val_accuracy, 4),
               "eval_runtime": round(eval_seconds, 4),
               "eval_samples_per_second": round(len(validation) / eval_seconds, 1),
               "epoch": float(epoch)}, flush=True)

    if tensors is not None:
        tensors.flush()
    print("Training complete after %d steps" % step, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
