"""Derives multifeature.csv from the passenger series: the passenger count plus the month of the year as a
point on the unit circle (sin, cos), so December and January are neighbours. Run from this folder:
    python3 make_csv.py
"""
import csv
import math

with open("../passengers/passengers.csv", newline="") as source:
    rows = list(csv.DictReader(source))

with open("multifeature.csv", "w", newline="") as target:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["month", "passengers", "month_sin", "month_cos"])
    for row in rows:
        month_of_year = int(row["month"].split("-")[1])
        angle = 2 * math.pi * (month_of_year - 1) / 12
        writer.writerow([row["month"], row["passengers"], f"{math.sin(angle):.6f}", f"{math.cos(angle):.6f}"])
