# numpy.meshgrid()：由横、纵坐标向量生成网格点的坐标矩阵
import numpy as np

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
