# 同一个模型、同样的初始参数，比较三种优化器的收敛速度
import matplotlib.pyplot as plt
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体
import torch
from torch import nn

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.05),
    "SGD + momentum": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
}

fig, ax = plt.subplots(figsize=(5, 3.6))
curves = {}  # 每种优化器每一轮的损失
for name, make_optimizer in optimizers.items():
    torch.manual_seed(0)  # 每种优化器都从同一组初始参数出发
    model = nn.Linear(1, 1)
    optimizer = make_optimizer(model.parameters())
    criterion = nn.MSELoss()
    losses = []
    for epoch in range(500):
        loss = criterion(model(x_data), y_data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    curves[name] = losses
    w, b = model.weight.item(), model.bias.item()
    print(f"{name:<15} w = {w:.4f}  b = {b:+.4f}  最终损失 = {losses[-1]:.2e}  x = 4 的预测 {model(torch.tensor([[4.0]])).item():.4f}")
    ax.plot(range(1, 501), losses, label=name)

ax.set_yscale("log")
ax.set_xlabel("训练轮数（epoch）")
ax.set_ylabel("损失（MSE，对数坐标）")
ax.set_title("三种优化器在同一个问题上的损失曲线")
ax.legend()
fig.tight_layout()
plt.show()
