import numpy as np
import matplotlib.pyplot as plt

# linspace：把线段等分
x = np.linspace(0, 1000, 20)
y = np.linspace(0, 500, 20)
# meshgrid：生成网格点坐标矩阵
X, Y = np.meshgrid(x, y)

plt.plot(X, Y,
         color="limegreen",  # 设置颜色为 limegreen
         marker=".",         # 设置点类型为圆点
         linestyle="")       # 设置线型为空，也即没有线连接点
# grid 在坐标轴的刻度处画背景网格线（不是穿过每个网格点的线）
plt.grid(True)
plt.show()
