-- 工业企业 (GB/T 4754 sections B, C, D: divisions 06-46), which （十二） pays 工业企业 by.
-- Read off the industry code for the rows already stored, as import does for new ones; the
-- snapshot predates the column, so it goes and the facts are read from the rows until the next import.
ALTER TABLE "enterprises" ADD COLUMN "industrial" INTEGER;
UPDATE "enterprises"
   SET "industrial" = CAST(substr("industry", 1, 2) AS INTEGER) BETWEEN 6 AND 46
 WHERE "industry" IS NOT NULL AND "industrial" IS NULL;
-- What a recognition is for (a product, a project, a platform), so that the same product
-- recognised first 省内 and then 国内 is one achievement for 就高不重复.
ALTER TABLE "recognitions" ADD COLUMN "item" TEXT;
DELETE FROM facts_snapshot;
