package store

// Store keeps carts in memory.
type Store struct{ carts map[string]int }
