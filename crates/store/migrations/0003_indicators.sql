CREATE TABLE "indicators" (
  "target" TEXT NOT NULL,
  "year" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  PRIMARY KEY (target, year)
);
