"""Every snippet runs as a reader runs it, and computes what the chapter says it does."""

import re

import pytest

from conftest import PAGES, ROOT, SNIPPETS


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
    hand = float(re.search(r"手算梯度 2·r·x = (\S+)", out).group(1))
    auto = float(re.search(r"autograd w.grad = (\S+)", out).group(1))
    assert hand == auto == -2.0


def test_tensor_and_Tensor_differ(snippet_results):
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
    assert out == expected + ["None", "<class 'NoneType'>"]


@pytest.mark.parametrize("name", ["linear_regression_autograd.py", "no_grad_update.py"])
def test_training_predicts_8_for_x_4(snippet_results, name):
    out = stdout(snippet_results, f"05-pytorch-basics/{name}")
    prediction = float(re.search(r"^predict \(after training\) 4 (\S+)$", out, re.MULTILINE).group(1))
    assert prediction == pytest.approx(8.0, abs=1e-5)


def test_no_grad_idiom_reaches_the_same_w(snippet_results):
    def last_prediction(name):
        return re.search(r"predict \(after training\) 4 (\S+)", stdout(snippet_results, name)).group(1)

    assert last_prediction("05-pytorch-basics/no_grad_update.py") == last_prediction(
        "05-pytorch-basics/linear_regression_autograd.py"
    )
