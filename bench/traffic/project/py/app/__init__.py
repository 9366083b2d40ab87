def price(qty: int, unit: float) -> float:
    return qty * unit
