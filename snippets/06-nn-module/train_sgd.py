# 训练循环的四步：前向、算损失、清零梯度并反向传播、更新参数
import torch
from torch import nn

torch.manual_seed(0)

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])

model = nn.Linear(1, 1)  # 只有一层时，直接用 nn.Linear 就是一个模型（参数名因此没有 linear. 前缀）
criterion = nn.MSELoss()  # 均方误差：对 3 个样本的平方误差取平均
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)  # 把要更新的参数交给优化器

for epoch in range(1, 501):
    y_pred = model(x_data)            # 1. 前向：算出预测值
    loss = criterion(y_pred, y_data)  # 2. 损失
    optimizer.zero_grad()             # 3. 先清掉上一步留下的梯度 ...
    loss.backward()                   #    ... 再反向传播，梯度存进每个参数的 .grad
    optimizer.step()                  # 4. 更新：w ← w − lr · ∂loss/∂w，b 也一样
    if epoch in (1, 10, 50, 100, 200, 500):
        print(f"epoch {epoch:3d}  损失 = {loss.item():.2e}")

w, b = model.weight.item(), model.bias.item()
print(f"w = {w:.4f}, b = {b:.4f}")
print(f"x = 4 的预测: {model(torch.tensor([[4.0]])).item():.4f}")
print(model.state_dict())
