module github.com/sociogram-kit/kit

go 1.26.0
