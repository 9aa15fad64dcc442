# 线性回归模型：穷举 w，对每个 w 计算均方误差（MSE）
import numpy as np
import matplotlib.pyplot as plt
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


# 穷举法
w_list = []
mse_list = []
for w in np.arange(0.0, 4.1, 0.1):
    print("w=", w)
    l_sum = 0
    for x_val, y_val in zip(x_data, y_data):
        y_pred_val = forward(x_val)
        loss_val = loss(x_val, y_val)
        l_sum += loss_val
        print("\t", x_val, y_val, y_pred_val, loss_val)
    print("MSE=", l_sum / 3)
    w_list.append(w)
    mse_list.append(l_sum / 3)

# plot：输入 x 和 y 的数组，直接画图即可（figsize 是图的宽和高，单位是英寸）
plt.figure(figsize=(5, 3.4))
plt.plot(w_list, mse_list)
best = int(np.argmin(mse_list))  # 标出损失最小的 w
plt.plot(w_list[best], mse_list[best], "o", color="tab:red")
plt.annotate(f"最小 MSE = {mse_list[best]:.1f}（w = {w_list[best]:.1f}）",
             xy=(w_list[best], mse_list[best]), xytext=(0, 60), textcoords="offset points",
             ha="center", arrowprops={"arrowstyle": "->"})
plt.ylabel("损失（MSE）")
plt.xlabel("w")
plt.show()
