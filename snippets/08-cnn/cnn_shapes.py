# 卷积层看到的是图像：一批 N 张 1 个通道、8×8 像素的图，形状 (N, 1, 8, 8)
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
images = torch.tensor(digits.images[:4] / 16.0, dtype=torch.float32)  # 前 4 张图，形状 (4, 8, 8)
x = images.unsqueeze(1)  # 在第 1 维加一个「通道」维：(4, 1, 8, 8)
print("第 7 章 MLP 的输入:", tuple(images.reshape(4, -1).shape), "（样本数, 像素数），像素的上下左右关系丢掉了")
print("卷积网络的输入:     ", tuple(x.shape), "（样本数, 通道数, 高, 宽）")

layers = [
    nn.Conv2d(1, 16, kernel_size=3, padding=1),   # 16 个 3×3 的卷积核，padding=1 让图的大小不变
    nn.ReLU(),
    nn.MaxPool2d(2),                              # 每 2×2 个格子取最大值：高和宽减半
    nn.Conv2d(16, 32, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),                                 # 展平成 (样本数, 32×2×2)，交给全连接层
    nn.Linear(32 * 2 * 2, 10),
]
for layer in layers:
    x = layer(x)
    print(f"{type(layer).__name__:<10} → {tuple(x.shape)}")
