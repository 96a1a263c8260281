"""Writes test/fixtures/metrics.json: sklearn's confusion matrices, accuracies and classification reports for
convnet-ts's `metrics`.

    /usr/bin/python3 scripts/reference/metrics_reference.py

Needs scikit-learn (Debian: apt-get install python3-sklearn). Every case passes labels=range(numClasses) and
zero_division=0, as convnet-ts does; some cases also store scores (logits) whose row-wise argmax are the
predictions, and class names for the text report.
"""

import json
import os
import re

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "metrics.json")
rng = np.random.default_rng(0)


def scores(s):
    return {"precision": s["precision"], "recall": s["recall"], "f1": s["f1-score"], "support": int(s["support"])}


def standard_layout(text):
    """False for sklearn's two layouts that convnet-ts does not copy: a 'micro avg' row in place of
    'accuracy' (when some class neither occurs nor is predicted), and supports printed as floats ('2.0',
    when no prediction is right)."""
    return "accuracy" in text and re.search(r"\.0$", text, re.MULTILINE) is None


def f1_rounds_alike(report, names, confusion):
    """sklearn 1.2 computes F1 as 2PR/(P+R), which can land one ulp off 2tp/(2tp+fp+fn) (what convnet-ts
    and later sklearn compute); at an exact rounding tie (0.625) the printed digits then differ. True when
    every printed F1 is the same either way."""
    confusion = np.asarray(confusion, dtype=float)
    tp = np.diag(confusion)
    denominator = confusion.sum(axis=0) + confusion.sum(axis=1)
    exact = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    support = confusion.sum(axis=1)
    pairs = [(exact[k], report[n]["f1-score"]) for k, n in enumerate(names)]
    pairs.append((exact.mean(), report["macro avg"]["f1-score"]))
    pairs.append((np.average(exact, weights=support), report["weighted avg"]["f1-score"]))
    return all(f"{a:.{d}f}" == f"{b:.{d}f}" for a, b in pairs for d in (2, 4))


def case(name, predictions, targets, num_classes, class_names=None, logits=None):
    labels = list(range(num_classes))
    names = class_names or [str(c) for c in labels]
    report = classification_report(
        targets, predictions, labels=labels, target_names=names, zero_division=0, output_dict=True
    )
    out = {
        "name": name,
        "numClasses": num_classes,
        "predictions": [int(p) for p in predictions],
        "targets": [int(t) for t in targets],
        "confusion": confusion_matrix(targets, predictions, labels=labels).tolist(),
        "accuracy": accuracy_score(targets, predictions),
        "perClass": [scores(report[n]) for n in names],
        "macroAvg": scores(report["macro avg"]),
        "weightedAvg": scores(report["weighted avg"]),
    }
    texts = {
        str(digits): classification_report(
            targets, predictions, labels=labels, target_names=class_names, zero_division=0, digits=digits
        ).rstrip("\n")
        for digits in (2, 4)
    }
    if all(standard_layout(t) for t in texts.values()) and f1_rounds_alike(report, names, out["confusion"]):
        out["text"] = texts
    if class_names is not None:
        out["classNames"] = class_names
    if logits is not None:
        out["logits"] = logits.tolist()
    return out


def random_case(name, n, num_classes, p_true, noise, with_logits=False):
    """`n` samples drawn with class probabilities `p_true`; each prediction is right with probability
    1 - noise, otherwise a class drawn uniformly."""
    targets = rng.choice(num_classes, size=n, p=p_true)
    wrong = rng.random(n) < noise
    predictions = np.where(wrong, rng.integers(0, num_classes, size=n), targets)
    logits = None
    if with_logits:
        logits = rng.normal(size=(n, num_classes))
        logits[np.arange(n), predictions] += 10.0
        predictions = logits.argmax(axis=1)
    return case(name, predictions, targets, num_classes, logits=logits)


def main():
    cases = [
        case("binary", [0, 1, 1, 0, 1], [0, 1, 0, 0, 1], 2),
        case("perfect", [2, 0, 1, 2], [2, 0, 1, 2], 3, class_names=["cat", "dog", "bird"]),
        case("all wrong", [1, 2, 0, 1], [0, 1, 2, 0], 3),
        case("single sample", [1], [1], 3),
        case("class 2 never predicted", [0, 1, 1, 0, 1, 0], [0, 1, 2, 0, 2, 1], 3),
        case("class 2 predicted but absent", [0, 1, 2, 2], [0, 1, 1, 0], 3),
        # Class 2 occurs but is never predicted; class 3 is predicted but never occurs; class 4 neither.
        case(
            "never predicted, absent and spurious classes",
            [0, 0, 1, 3, 1, 0, 3],
            [0, 2, 1, 2, 1, 0, 0],
            5,
            class_names=["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"],
        ),
        # Precision of class 0 is 1/8 and of class 1 is 5/8: exact ties when rounded to two decimals.
        case("rounding ties", [0] * 8 + [1] * 8, [0] + [1] * 7 + [1] * 5 + [0] * 3, 2),
        random_case("random 10 classes", 300, 10, np.full(10, 0.1), 0.3),
        random_case("random skewed 4 classes", 60, 4, [0.6, 0.25, 0.15, 0.0], 0.4),
        random_case("random 6 classes from logits", 40, 6, np.full(6, 1 / 6), 0.5, with_logits=True),
    ]
    with open(FIXTURE, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
