# numpy.meshgrid()：由横、纵坐标向量生成网格点的坐标矩阵
import numpy as np
import matplotlib.pyplot as plt

x = np.array([0, 1, 2])
y = np.array([0, 1])
X, Y = np.meshgrid(x, y)

print("X =")
print(X)
print("Y =")
print(Y)
# X 与 Y 中同一位置的元素，合起来就是一个点的坐标
for name, px, py in zip("ABCDEF", X.ravel(), Y.ravel()):
    print(f"{name} = ({px}, {py})")

# 把这 6 个点画出来，每个点标上名字和坐标
plt.figure(figsize=(4.5, 3))
plt.scatter(X, Y, s=60, color="tab:blue", zorder=3)
for name, px, py in zip("ABCDEF", X.ravel(), Y.ravel()):
    plt.annotate(f"{name} ({px}, {py})", (px, py), xytext=(0, 10), textcoords="offset points", ha="center")
plt.xticks(x)
plt.yticks(y)
plt.xlim(-0.5, 2.5)
plt.ylim(-0.4, 1.5)
plt.grid(True, linestyle=":")
plt.xlabel("x")
plt.ylabel("y")
plt.show()
