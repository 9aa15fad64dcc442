"""Every snippet runs as a reader runs it, and computes what the chapter says it does."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import PAGES, ROOT, SNIPPETS, found, record_execution

FIGURE_SNIPPETS = [snippet for snippet in SNIPPETS if "plt.show()" in snippet.read_text(encoding="utf-8")]
# `python snippet.py`, except that plt.show() draws each figure as a window would, without a screen.
DRAW_ON_SHOW = """
import io, runpy, sys
import matplotlib.pyplot as plt

def show(*args, **kwargs):
    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png")

plt.show = show
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def snippet_id(path):
    return str(path.relative_to(ROOT / "snippets"))


@pytest.mark.parametrize("snippet", SNIPPETS, ids=snippet_id)
def test_snippet_runs_cleanly(snippet, snippet_results):
    result = snippet_results[snippet]
    assert result.ok, result.error


@pytest.mark.parametrize("snippet", SNIPPETS, ids=snippet_id)
def test_snippet_is_included_by_a_page(snippet):
    include = f'--8<-- "{snippet_id(snippet)}"'
    assert any(include in page.read_text(encoding="utf-8") for page in PAGES)


@pytest.fixture(scope="module")
def reader_copy(tmp_path_factory):
    """The repository's snippets as a reader's clone has them, and a matplotlib config folder never used."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "snippets", root / "snippets")
    return root, tmp_path_factory.mktemp("mplconfig")


# Every figure snippet from both places README names, and chapter 8's snippets (its promise) from the root.
READER_RUNS = [(snippet, where) for snippet in FIGURE_SNIPPETS for where in ("repository root", "snippet folder")]
READER_RUNS += [
    (snippet, "repository root") for snippet in SNIPPETS if snippet.parent.name == "08-cnn" and snippet not in FIGURE_SNIPPETS
]


@pytest.mark.parametrize(
    ("snippet", "where"), READER_RUNS, ids=lambda value: snippet_id(value) if hasattr(value, "parts") else value
)
def test_a_readers_own_run_prints_what_the_page_shows_and_nothing_on_stderr(snippet, where, reader_copy, snippet_results):
    """With only requirements.txt installed: the page's output (from the root, as README says), no missing
    glyph (Chinese comes from zhplot), no warning."""
    root, mplconfig = reader_copy
    script = root / "snippets" / snippet_id(snippet)
    cwd = root if where == "repository root" else script.parent
    env = {**os.environ, "MPLCONFIGDIR": str(mplconfig), "MPLBACKEND": "agg", "TQDM_DISABLE": "1"}
    record_execution(snippet.relative_to(ROOT).as_posix())
    run = subprocess.run(
        [sys.executable, "-c", DRAW_ON_SHOW, str(script.relative_to(cwd))],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (run.returncode, run.stderr) == (0, "")
    if where == "repository root":
        assert run.stdout == snippet_results[snippet].stdout


def stdout(snippet_results, name):
    return snippet_results[ROOT / "snippets" / name].stdout


def test_scikit_learn_finds_w_2(snippet_results):
    out = stdout(snippet_results, "01-scikit-learn/fit_linear_regression.py")
    assert out.splitlines() == ["w = 2.0", "predict 4 8.0"]


def test_exhaustive_search_minimum_is_at_w_2(snippet_results):
    out = stdout(snippet_results, "02-linear-regression/exhaustive_search.py")
    ws = [float(w) for w in re.findall(r"^w= (\S+)$", out, re.MULTILINE)]
    mses = [float(m) for m in re.findall(r"^MSE= (\S+)$", out, re.MULTILINE)]
    assert len(ws) == len(mses) == 41
    assert ws[mses.index(min(mses))] == pytest.approx(2.0)
    assert min(mses) == 0.0


def test_meshgrid_coordinates_match_points_a_to_f(snippet_results):
    out = stdout(snippet_results, "03-matplotlib/meshgrid_points.py")
    points = dict(re.findall(r"^([A-F]) = (\(\d, \d\))$", out, re.MULTILINE))
    assert points == {"A": "(0, 0)", "B": "(1, 0)", "C": "(2, 0)", "D": "(0, 1)", "E": "(1, 1)", "F": "(2, 1)"}


def test_hand_gradient_equals_autograd(snippet_results):
    out = stdout(snippet_results, "04-backpropagation/check_gradient.py")
    hand = float(found(r"手算梯度 2·r·x = (\S+)", out).group(1))
    auto = float(found(r"autograd w.grad = (\S+)", out).group(1))
    assert hand == auto == -2.0


def test_tensor_and_Tensor_differ(snippet_results):  # noqa: N802 - the two names it compares
    out = stdout(snippet_results, "05-pytorch-basics/tensor_vs_Tensor.py").splitlines()
    assert out == [
        "tensor([1.]) torch.float32",
        "tensor([1]) torch.int64",
        "torch.Size([3]) torch.float32",
        "tensor(3) torch.Size([]) 0",
    ]


def test_type_and_grad_output(snippet_results):
    out = stdout(snippet_results, "05-pytorch-basics/type_and_grad.py").splitlines()
    expected = ["tensor([1.], requires_grad=True)", "tensor([1.])", "torch.FloatTensor", "torch.FloatTensor"]
    assert out == [*expected, "None", "<class 'NoneType'>"]


@pytest.mark.parametrize("name", ["linear_regression_autograd.py", "no_grad_update.py"])
def test_training_predicts_8_for_x_4(snippet_results, name):
    out = stdout(snippet_results, f"05-pytorch-basics/{name}")
    prediction = float(found(r"^predict \(after training\) 4 (\S+)$", out, re.MULTILINE).group(1))
    assert prediction == pytest.approx(8.0, abs=1e-5)


def test_no_grad_idiom_reaches_the_same_w(snippet_results):
    def last_prediction(name):
        return found(r"predict \(after training\) 4 (\S+)", stdout(snippet_results, name)).group(1)

    assert last_prediction("05-pytorch-basics/no_grad_update.py") == last_prediction(
        "05-pytorch-basics/linear_regression_autograd.py"
    )


def test_nn_linear_trained_with_sgd_finds_w_2_b_0(snippet_results):
    out = stdout(snippet_results, "06-nn-module/train_sgd.py")
    w, b = map(float, found(r"^w = (\S+), b = (\S+)$", out, re.MULTILINE).groups())
    assert (w, b) == (pytest.approx(2.0, abs=0.01), pytest.approx(0.0, abs=0.01))
    assert float(found(r"x = 4 的预测: (\S+)", out).group(1)) == pytest.approx(8.0, abs=0.01)
    losses = [float(x) for x in re.findall(r"损失 = (\S+)", out)]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 1e-5


def test_every_optimizer_reaches_w_2_b_0_and_predicts_8(snippet_results):
    out = stdout(snippet_results, "06-nn-module/compare_optimizers.py")
    rows = re.findall(
        r"^(SGD|SGD \+ momentum|Adam)\s+w = (\S+)\s+b = (\S+)\s+最终损失 = (\S+)\s+x = 4 的预测 (\S+)$", out, re.MULTILINE
    )
    assert [row[0] for row in rows] == ["SGD", "SGD + momentum", "Adam"]
    for name, w, b, _, prediction in rows:
        assert float(w) == pytest.approx(2.0, abs=0.01) and float(b) == pytest.approx(0.0, abs=0.01), name
        assert float(prediction) == pytest.approx(8.0, abs=0.01), name
    plain, momentum, adam = (float(row[3]) for row in rows)
    assert momentum < adam < plain  # the order the caption describes


def test_dataloader_batches_cover_the_dataset_and_reshuffle(snippet_results):
    out = stdout(snippet_results, "07-digits-classifier/dataloader_batches.py")
    assert "一轮有 29 个小批量" in out
    assert out.count("29 个小批量，最后一个有 5 个样本，共 1797 个样本") == 2
    firsts = re.findall(r"labels 前 8 个 (\[.*\])", out)
    assert len(firsts) == 2 and firsts[0] != firsts[1]


def test_dataloader_with_two_workers_yields_every_sample_once_per_epoch(snippet_results):
    out = stdout(snippet_results, "07-digits-classifier/dataloader_workers.py")
    assert out.splitlines() == [f"epoch {n}: 1797 个样本，每个恰好一次: True" for n in (0, 1)]


def test_hand_computed_cross_entropy_equals_pytorch(snippet_results):
    out = stdout(snippet_results, "07-digits-classifier/softmax_cross_entropy.py")
    hand = found(r"手算交叉熵 −log\(p\[0\]\): (\S+)", out).group(1)
    assert hand == found(r"nn.CrossEntropyLoss: (\S+)", out).group(1) == "0.417"
    assert "总和: 1.0" in out


def test_cnn_shapes_follow_the_layers(snippet_results):
    out = stdout(snippet_results, "08-cnn/cnn_shapes.py")
    shapes = re.findall(r"^(\w+)\s+→ (\(.*\))$", out, re.MULTILINE)
    assert shapes[0] == ("Conv2d", "(4, 16, 8, 8)") and shapes[2] == ("MaxPool2d", "(4, 16, 4, 4)")
    assert shapes[-2:] == [("Flatten", "(4, 128)"), ("Linear", "(4, 10)")]


def test_cnn_beats_the_mlp_on_the_same_split_and_reloads_to_the_same_predictions(snippet_results):
    out = stdout(snippet_results, "08-cnn/train_cnn.py")
    cnn = int(found(r"^CNN: \d+ 个参数，测试集 (\d+)/450", out, re.MULTILINE).group(1))
    mlp_out = stdout(snippet_results, "07-digits-classifier/train_mlp.py")
    mlp = int(found(r"测试集: (\d+)/450", mlp_out).group(1))
    assert cnn > mlp and "MLP" not in out  # the page quotes chapter 7's run; nothing here restates it
    assert "已保存到 cnn_digits.pt，重新加载的模型对 450 张测试图的预测和原模型完全相同: True" in out.splitlines()
    dead = found(r"^在所有测试图上都全为 0 的特征图: \[([\d, ]*)\]$", out, re.MULTILINE).group(1)
    assert 0 < len(dead.split(",")) < 16  # some kernels died under ReLU; the page names them


def test_classifier_is_well_above_90_percent_on_the_test_split(snippet_results):
    result = snippet_results[ROOT / "snippets/07-digits-classifier/train_mlp.py"]
    correct, total = map(int, found(r"测试集: (\d+)/(\d+) 张分类正确", result.stdout).groups())
    assert total == 450 and correct / total > 0.95  # the page quotes the exact numbers from this run
    assert re.fullmatch(r"训练: 100%\|█+\| 20/20\n", result.stderr)  # tqdm's bar, as the page shows it
