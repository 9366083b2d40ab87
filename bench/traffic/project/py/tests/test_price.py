from app import price


def test_price():
    assert price(2, 1.5) == 3.0
