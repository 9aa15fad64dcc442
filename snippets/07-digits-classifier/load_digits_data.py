# scikit-learn 自带的手写数字数据集：1797 张 8×8 的灰度图，随 scikit-learn 安装，不用下载
import matplotlib.pyplot as plt
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
print("图像:", digits.images.shape, " 展平后:", digits.data.shape, " 标签:", digits.target.shape)
print("像素取值范围:", digits.data.min(), "到", digits.data.max())

# 留出 25% 做测试集；stratify 让两边各个数字的比例大致相同，random_state 固定划分
x_train, x_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
print("训练集:", x_train.shape[0], "张  测试集:", x_test.shape[0], "张")

fig, axes = plt.subplots(4, 6, figsize=(4.6, 4.2))
for ax, image, label in zip(axes.flat, digits.images, digits.target):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"标签 {label}", fontsize=9)
    ax.axis("off")
fig.suptitle("数据集里的前 24 张图")
fig.tight_layout()
plt.show()
