# 对一个样本 (x, y) 手算 ∂loss/∂w，再让 PyTorch 的自动求导算一遍
import torch

x, y = 1.0, 2.0
w = torch.tensor(1.0, requires_grad=True)

# 前向：按计算图一步一步算
y_hat = x * w        # ŷ = x·w
r = y_hat - y        # r = ŷ - y
loss = r ** 2        # loss = r²

# 反向：链式法则，∂loss/∂w = ∂loss/∂r · ∂r/∂ŷ · ∂ŷ/∂w = 2r · 1 · x
hand_grad = 2 * r.item() * x

loss.backward()
print("ŷ =", y_hat.item(), " r =", r.item(), " loss =", loss.item())
print("手算梯度 2·r·x =", hand_grad)
print("autograd w.grad =", w.grad.item())
print("一致:", hand_grad == w.grad.item())
