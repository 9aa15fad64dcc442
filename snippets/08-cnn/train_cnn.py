# 卷积神经网络（CNN）：在第 7 章同样的训练集和测试集上训练，再保存、加载
from pathlib import Path

import matplotlib.pyplot as plt
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(                    # (N, 1, 8, 8)
            nn.Conv2d(1, 16, kernel_size=3, padding=1),    # (N, 16, 8, 8)
            nn.ReLU(),
            nn.MaxPool2d(2),                               # (N, 16, 4, 4)
            nn.Conv2d(16, 32, kernel_size=3, padding=1),   # (N, 32, 4, 4)
            nn.ReLU(),
            nn.MaxPool2d(2),                               # (N, 32, 2, 2)
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 10))  # 10 个类别的 logits

    def forward(self, x):
        return self.classifier(self.features(x))


torch.manual_seed(0)
# 卷积在多个线程上算时，浮点数相加的顺序随线程数变化，12 轮训练后结果会差一两张图；
# 固定用 1 个线程，同一类型的机器上每次运行的结果都相同。换一种 CPU，结果仍可能差一两张图
torch.set_num_threads(1)
digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(  # 和第 7 章完全相同的划分
    digits.images / 16.0, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
x_train = torch.tensor(x_train, dtype=torch.float32).unsqueeze(1)  # (1347, 1, 8, 8)
x_test = torch.tensor(x_test, dtype=torch.float32).unsqueeze(1)    # (450, 1, 8, 8)
y_train, y_test = torch.tensor(y_train, dtype=torch.long), torch.tensor(y_test, dtype=torch.long)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))

model = DigitsCNN()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(1, 13):  # 12 轮
    model.train()
    for images, labels in loader:
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    predicted = model(x_test).argmax(dim=1)
correct = int((predicted == y_test).sum())
parameters = sum(p.numel() for p in model.parameters())
print(f"CNN: {parameters} 个参数，测试集 {correct}/{len(y_test)} 张正确，准确率 {correct / len(y_test):.2%}")

# 保存：只存参数（state_dict），文件写在当前目录
path = Path("cnn_digits.pt")
torch.save(model.state_dict(), path)
# 加载：先建一个结构相同的新模型，再把参数装进去；weights_only=True 只读数据，不执行文件里的任意代码
reloaded = DigitsCNN()
reloaded.load_state_dict(torch.load(path, weights_only=True))
reloaded.eval()
with torch.no_grad():
    same = torch.equal(reloaded(x_test).argmax(dim=1), predicted)
print(f"已保存到 {path}，重新加载的模型对 {len(y_test)} 张测试图的预测和原模型完全相同: {same}")

# 第一层学到的 16 个 3×3 卷积核
kernels = model.features[0].weight.detach()[:, 0]  # (16, 3, 3)
fig, axes = plt.subplots(4, 4, figsize=(4.2, 4.6))
for number, (ax, kernel) in enumerate(zip(axes.flat, kernels), 1):
    ax.imshow(kernel, cmap="RdBu_r", vmin=-kernels.abs().max(), vmax=kernels.abs().max())
    ax.set_title(f"核 {number}", fontsize=9)
    ax.axis("off")
fig.suptitle("第一层的 16 个卷积核（红为正、蓝为负）")
fig.tight_layout()
plt.show()

# 第一层卷积和 ReLU 之后的 16 张特征图：先看整个测试集上有没有处处为 0 的
with torch.no_grad():
    largest = model.features[:2](x_test).amax(dim=(0, 2, 3))  # 每个核在所有测试图、所有位置上的最大输出
dead = [number for number, value in enumerate(largest.tolist(), 1) if value == 0]
print("在所有测试图上都全为 0 的特征图:", dead)

image = x_test[:1]  # 一张测试图
with torch.no_grad():
    maps = model.features[:2](image)[0]  # (16, 8, 8)
fig, axes = plt.subplots(4, 5, figsize=(4.8, 4.6))  # 第一格是输入图，后面 16 格是特征图
for ax in axes.flat:
    ax.axis("off")
axes[0, 0].imshow(image[0, 0], cmap="gray_r")
axes[0, 0].set_title(f"输入（{y_test[0].item()}）", fontsize=9)
for number, (ax, feature) in enumerate(zip(axes.flat[1:], maps), 1):
    ax.imshow(feature, cmap="viridis")  # 每张图按自己的最小值到最大值上色
    ax.set_title(f"特征图 {number}", fontsize=9)
fig.tight_layout()
plt.show()
