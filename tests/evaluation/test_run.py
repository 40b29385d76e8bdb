"""Input checks of the evaluate stage and its choice of validation rows."""

from __future__ import annotations

import pytest
from datasets import Dataset, DatasetDict

from tests.modeling.samples import make_row
from trainer.evaluation.run import EvaluationError, evaluate_model, select_rows


def config(tmp_path, dataset_dir):
    return {
        "eval": {"out_dir": str(tmp_path / "evaluation"), "num_samples": 2, "generation": {}},
        "paths": {"output_dir": str(tmp_path / "train")},
        "data": {"dataset_dir": str(dataset_dir), "max_seq_len": 128},
        "model": {"name_or_path": str(tmp_path / "base")},
    }


def test_evaluate_missing_dataset(tmp_path):
    with pytest.raises(EvaluationError, match="run the prepare stage"):
        evaluate_model(config(tmp_path, tmp_path / "absent"))


def test_evaluate_without_validation_split(tmp_path):
    dataset_dir = tmp_path / "dataset"
    DatasetDict({"train": Dataset.from_list([make_row(0, "train")])}).save_to_disk(dataset_dir)
    with pytest.raises(EvaluationError, match="validation split"):
        evaluate_model(config(tmp_path, dataset_dir))


def test_select_rows_same_seed_same_rows():
    split = Dataset.from_list([make_row(index, "validation") for index in range(10)])
    first = [row["example_id"] for row in select_rows(split, 4, seed=1)]
    again = [row["example_id"] for row in select_rows(split, 4, seed=1)]
    assert first == again
    assert len(first) == 4


def test_select_rows_all_when_unlimited():
    split = Dataset.from_list([make_row(index, "validation") for index in range(3)])
    assert len(select_rows(split, None, seed=0)) == 3


def test_loss_curves_read_csv(tmp_path):
    from trainer.evaluation.run import loss_curves

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "metrics.csv").write_text(
        "epoch,step,train/loss_step,val/loss\n0,1,3.5,\n0,2,3.0,\n0,2,,2.9\n"
    )
    curves = loss_curves(None, tmp_path)
    assert curves["train"] == [(1, 3.5), (2, 3.0)]
    assert curves["validation"] == [(2, 2.9)]
