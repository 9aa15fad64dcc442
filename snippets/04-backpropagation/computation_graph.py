# 计算图：loss = (x·w − y)²。前向值和梯度 ∂loss/∂节点 都由 autograd 算出，再画到图上
import torch
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyBboxPatch

# 数据本来不需要梯度：这里让 x、y 也 requires_grad，只是为了在图上标出 ∂loss/∂x 和 ∂loss/∂y
x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
w = torch.tensor(1.0, requires_grad=True)

y_hat = x * w
r = y_hat - y
loss = r ** 2
for node in (y_hat, r, loss):
    node.retain_grad()  # 中间节点默认不保留梯度，这里要把它们画出来
loss.backward()

nodes = {"x": x, "w": w, "y": y, "y_hat": y_hat, "r": r, "loss": loss}
for name, tensor in nodes.items():
    print(f"{name:>5}: 前向值 = {tensor.item():4.1f}   ∂loss/∂{name} = {tensor.grad.item():4.1f}")

# 画图：方框是变量，圆圈是运算；黑色是前向值，红色是反向传回来的梯度
LABEL = {"x": "x", "w": "w", "y": "y", "y_hat": r"\hat{y}", "r": "r", "loss": r"\mathrm{loss}"}
# 从上到下是前向传播的方向：x 和 w 相乘得到 ŷ，ŷ 减去 y 得到 r，r 平方得到 loss
PLACE = {"x": (0, 0), "w": (4.6, 0), "y_hat": (2.3, -3.4), "y": (6.9, -3.4), "r": (4.6, -6.8), "loss": (4.6, -10.2)}
OPS = {"×": (2.3, -1.7), "−": (4.6, -5.1), "²": (4.6, -8.5)}
EDGES = [("x", "×"), ("w", "×"), ("×", "y_hat"), ("y_hat", "−"), ("y", "−"), ("−", "r"), ("r", "²"), ("²", "loss")]
BOX_W, BOX_H, RADIUS = 3.5, 1.1, 0.45


def border(name, toward):
    """Where the line from node `name` toward point `toward` leaves the node's outline."""
    (px, py), (tx, ty) = (PLACE | OPS)[name], toward
    dx, dy = tx - px, ty - py
    if name in OPS:
        scale = RADIUS / (dx * dx + dy * dy) ** 0.5
    else:
        scale = min(BOX_W / 2 / abs(dx) if dx else float("inf"), BOX_H / 2 / abs(dy) if dy else float("inf"))
    return px + dx * scale, py + dy * scale


fig, ax = plt.subplots(figsize=(5.2, 5.6))
for name, (px, py) in PLACE.items():
    ax.add_patch(FancyBboxPatch((px - BOX_W / 2, py - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.04",
                                facecolor="white", edgecolor="black"))
    ax.text(px, py + 0.22, f"${LABEL[name]} = {nodes[name].item():g}$", ha="center", va="center", fontsize=15)
    ax.text(px, py - 0.24, rf"$\partial\mathrm{{loss}}/\partial {LABEL[name]} = {nodes[name].grad.item():g}$",
            ha="center", va="center", fontsize=10.5, color="tab:red")
for symbol, (px, py) in OPS.items():
    ax.add_patch(Circle((px, py), RADIUS, facecolor="white", edgecolor="black"))
    ax.text(px, py, symbol, ha="center", va="center", fontsize=18)
position = PLACE | OPS
for start, end in EDGES:
    ax.annotate("", xy=border(end, position[start]), xytext=border(start, position[end]),
                arrowprops={"arrowstyle": "-|>", "color": "black", "shrinkA": 0, "shrinkB": 0})
ax.set_xlim(-1.9, 8.8)
ax.set_ylim(-10.9, 0.7)
ax.set_aspect("equal")
ax.axis("off")
plt.show()
