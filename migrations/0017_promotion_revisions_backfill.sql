-- The promotions saved before revisions were kept: their history is unknown, so each is taken to have had its
-- present definition since it was created (what pricing assumed until now). One that is no longer active was
-- active until its last change and has its present status since then (a promotion created paused and never
-- changed gets an empty first interval, so it was never in force).
INSERT INTO `promotion_revisions` (`promotion_id`, `revision`, `status`, `coupon_only`, `definition`, `store_ids`, `channels`, `effective_from`, `effective_until`, `changed_by`)
  SELECT `id`, 1, 'active', `coupon_only`, `definition`, `store_ids`, `channels`, `created_at`,
    CASE WHEN `status` = 'active' THEN NULL ELSE `updated_at` END, `created_by`
  FROM `promotions`;
--> statement-breakpoint
INSERT INTO `promotion_revisions` (`promotion_id`, `revision`, `status`, `coupon_only`, `definition`, `store_ids`, `channels`, `effective_from`, `effective_until`, `changed_by`)
  SELECT `id`, 2, `status`, `coupon_only`, `definition`, `store_ids`, `channels`, `updated_at`, NULL, `updated_by`
  FROM `promotions` WHERE `status` <> 'active';
