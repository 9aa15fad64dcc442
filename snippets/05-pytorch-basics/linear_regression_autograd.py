import torch
import matplotlib.pyplot as plt
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.Tensor([1.0])  # w 的初值为 1.0
w.requires_grad = True   # 需要计算梯度
# 传播图过程需要计算 w 的梯度
# 书写函数时直接使用变量名，按传播图写即可


def forward(x):
    return x * w  # w 是一个 Tensor


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


# item() 表示直接取出值，data 表示对 tensor 中的值进行引用
print("predict (before training)", 4, forward(4).item())

loss_history, w_history = [], []  # 记下每一轮的 loss 和 w，训练完画出来
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)  # 前向：算出损失 l（一个张量），同时建立计算图
        l.backward()    # 反向：算出所有 requires_grad=True 的张量的梯度，存进 .grad
        print("\tgrad:", x, y, w.grad.item())
        w.data = w.data - 0.01 * w.grad.data  # 通过 .data 更新：绕过 autograd，这一步不记入计算图

        w.grad.data.zero_()  # 更新之后把梯度清零，否则下一次 backward 会累加上去

    print("progress:", epoch, l.item())  # 取出 loss 用 l.item()，不要直接用 l（l 是 tensor，会构建计算图）
    loss_history.append(l.item())
    w_history.append(w.item())

print("predict (after training)", 4, forward(4).item())

# 训练过程：上图 loss 用对数坐标，下图 w 一步步接近 2.0；两张图共用横轴
fig, (ax_loss, ax_w) = plt.subplots(2, 1, figsize=(5, 5), sharex=True)
ax_loss.plot(loss_history)
ax_loss.set_yscale("log")
ax_loss.set_ylabel("损失（对数坐标）")
ax_w.plot(w_history, label="w")
ax_w.axhline(2.0, color="gray", linestyle="--", label="w = 2.0")
ax_w.set_xlabel("训练轮数（epoch）")
ax_w.set_ylabel("w")
ax_w.legend()
fig.tight_layout()
plt.show()
