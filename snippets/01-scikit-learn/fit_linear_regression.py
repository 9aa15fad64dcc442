# 用 scikit-learn 拟合 y = w * x（不带截距），与第 2、5 章是同一个问题
from sklearn.linear_model import LinearRegression

x_data = [[1.0], [2.0], [3.0]]  # scikit-learn 要求二维输入：每行一个样本，每列一个特征
y_data = [2.0, 4.0, 6.0]

model = LinearRegression(fit_intercept=False)  # 模型只有 w，没有截距 b
model.fit(x_data, y_data)

print("w =", round(float(model.coef_[0]), 6))
print("predict", 4, round(float(model.predict([[4.0]])[0]), 6))
