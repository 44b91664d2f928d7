print("kdmc")
