// Pinyin initials for search hints, from the Chinese collation (no dictionary in the bundle).
import { describe, expect, it } from "vitest"
import { pinyinInitials } from "../../core/pinyin"

// Common characters of every initial, so a change of boundaries or ICU data shows up here.
const BY_INITIAL: Record<string, string> = {
  a: "阿啊爱安昂奥",
  b: "八巴白百北本比边表别宾兵波不",
  c: "擦才草层查车陈成吃出川春次从村错",
  d: "搭大带当到的等地点电定东都读对多",
  e: "额饿恩儿而二",
  f: "发法饭方放非分风佛否夫服",
  g: "噶该干刚高个给根更工狗古瓜关光贵国过",
  h: "哈还海好号喝和黑很红后湖花话黄灰会活火",
  j: "击机鸡几家见江将交接金近京九就句觉军",
  k: "喀卡开看康考可客肯空口苦快宽况困阔",
  l: "垃拉来蓝浪老了雷冷里连两料林零六龙楼路乱论罗绿驴吕旅",
  m: "妈马买满忙毛么没美门梦米面苗民明末母木",
  n: "拿那奶男南脑呢内能你年娘鸟您宁牛农女暖诺",
  o: "哦欧偶",
  p: "啪怕拍盘旁跑配盆朋皮片漂平破普",
  q: "七期其起气千前强桥且亲青情秋区去全却群",
  r: "然让绕热人日容肉如软瑞润若",
  s: "撒三色森僧杀山上少社身生十手书水说思送苏酸岁孙所",
  t: "它他台谈汤桃特疼提天条贴听同头图团推吞托",
  w: "挖哇外完王为文我屋五",
  x: "夕西下先想小些新星兄修许选学寻",
  y: "丫压呀眼羊要也一因应用有鱼元月云",
  z: "匝杂在咱脏早则贼怎增扎债占张找这真正之中周主抓专装追准桌子总走租最左做",
}

describe("pinyin initials", () => {
  it("gives the initials of product names", () => {
    expect(pinyinInitials("连衣裙")).toBe("lyq")
    expect(pinyinInitials("农夫山泉")).toBe("nfsq")
    expect(pinyinInitials("可口可乐 500ml")).toBe("kkkl500ml")
    expect(pinyinInitials("纯棉T恤")).toBe("cmtx")
    expect(pinyinInitials("五花肉")).toBe("whr")
    expect(pinyinInitials("")).toBe("")
    expect(pinyinInitials("ABC-12")).toBe("abc12")
  })

  it("gets every initial right for common characters", () => {
    for (const [initial, chars] of Object.entries(BY_INITIAL))
      for (const ch of chars) expect(pinyinInitials(ch), ch).toBe(initial)
  })
})
