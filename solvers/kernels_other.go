//go:build !amd64

package solvers

const useAVX2 = false

func adamVec32(p, g, m, v []float32, c *adamCoef[float32]) int { return 0 }
func adamVec64(p, g, m, v []float64, c *adamCoef[float64]) int { return 0 }

func sgdVec32(p, g, buf []float32, c *sgdCoef[float32]) int { return 0 }
func sgdVec64(p, g, buf []float64, c *sgdCoef[float64]) int { return 0 }

func amsgradVec32(p, g, m, v, vmax []float32, c *adamCoef[float32]) int { return 0 }
func amsgradVec64(p, g, m, v, vmax []float64, c *adamCoef[float64]) int { return 0 }

func rmspropVec32(p, g, sq, buf []float32, c *rmspropCoef[float32]) int { return 0 }
func rmspropVec64(p, g, sq, buf []float64, c *rmspropCoef[float64]) int { return 0 }
func adagradVec32(p, g, sum []float32, c *adagradCoef[float32]) int     { return 0 }
func adagradVec64(p, g, sum []float64, c *adagradCoef[float64]) int     { return 0 }
