# 现代写法：在 torch.no_grad() 里原地更新参数，不再经过 .data
import torch
from tqdm import tqdm  # 进度条：训练循环里最常用的小工具

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.tensor([1.0], requires_grad=True)

for epoch in tqdm(range(100), desc="训练"):  # 进度条写在 stderr 上，不影响 print 的输出
    for x, y in zip(x_data, y_data):
        l = (x * w - y) ** 2
        l.backward()
        with torch.no_grad():  # 更新参数这一步不需要记录进计算图
            w -= 0.01 * w.grad
        w.grad.zero_()

print("w =", w.item())
print("predict (after training)", 4, (4 * w).item())
