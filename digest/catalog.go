package digest

import (
	"fmt"
	htmltemplate "html/template"
	"maps"
	"net/url"
	"strings"
	"time"
)

// The languages the product writes its own words in (DESIGN §3): every
// word around the items — dates, counts, greetings, footers, the subscribe
// and unsubscribe pages, feed summaries — comes from the catalogue below in
// one of these.
const (
	LangEN   = "en"
	LangZhCN = "zh-CN"
	LangZhTW = "zh-TW"
	LangJA   = "ja"
)

// UILang returns the catalogue language for a site's language setting:
// zh-TW for Traditional Chinese (zh-TW, zh-HK, zh-MO, zh-Hant…), zh-CN
// for any other Chinese, ja for Japanese, else en.
func UILang(language string) string {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(language), "_", "-"))
	switch {
	case l == "zh" || strings.HasPrefix(l, "zh-"):
		for _, t := range []string{"zh-tw", "zh-hk", "zh-mo", "zh-hant"} {
			if l == t || strings.HasPrefix(l, t+"-") {
				return LangZhTW
			}
		}
		return LangZhCN
	case l == "ja" || strings.HasPrefix(l, "ja-"):
		return LangJA
	}
	return LangEN
}

// msg is one entry of the catalogue: a fmt format per language. In
// English, a key with ".one" after it is the form for a count of 1.
type msg struct{ en, zhCN, zhTW, ja string }

func (m msg) in(lang string) string {
	switch lang {
	case LangZhCN:
		return m.zhCN
	case LangZhTW:
		return m.zhTW
	case LangJA:
		return m.ja
	}
	return m.en
}

// catalog holds every word the product writes around the items.
var catalog = map[string]msg{
	// Issues, pages and feeds.
	"issue_title":       {"%s #%d · %s", "%s 第 %d 期 · %s", "%s 第 %d 期 · %s", "%s 第%d号 · %s"},
	"clippings":         {"%d clippings", "%d 篇剪藏", "%d 篇剪藏", "%d 件のクリップ"},
	"clippings.one":     {"%d clipping", "", "", ""},
	"minutes":           {"%d min", "%d 分钟", "%d 分鐘", "%d 分"},
	"published":         {"Published %s", "发布于 %s", "發佈於 %s", "%s 発行"},
	"clipped":           {"clipped %s", "剪藏于 %s", "剪藏於 %s", "%s にクリップ"},
	"by":                {"by %s", "作者：%s", "作者：%s", "著者：%s"},
	"all_issues":        {"All issues", "往期内容", "往期內容", "バックナンバー"},
	"back_all_issues":   {"← All issues", "← 往期内容", "← 往期內容", "← バックナンバー"},
	"read_on_web":       {"Read on the web", "在网页上阅读", "在網頁上閱讀", "ウェブで読む"},
	"more_on_web":       {"%d more on the web", "还有 %d 篇，在网页上阅读", "還有 %d 篇，在網頁上閱讀", "ほか %d 件はウェブで"},
	"more_on_web_at":    {"%d more on the web: %s", "还有 %d 篇，在网页上阅读：%s", "還有 %d 篇，在網頁上閱讀：%s", "ほか %d 件はウェブで：%s"},
	"no_issues":         {"No issues yet.", "还没有任何一期。", "還沒有任何一期。", "まだ号はありません。"},
	"subscribe":         {"Subscribe", "订阅", "訂閱", "購読する"},
	"email_address":     {"Email address", "邮箱地址", "電子郵件地址", "メールアドレス"},
	"feeds":             {"Feeds", "订阅源", "訂閱源", "フィード"},
	"tag_feed":          {"Feed of %s", "%s 的订阅源", "%s 的訂閱源", "%s のフィード"},
	"previous_issue":    {"Previous issue", "上一期", "上一期", "前の号"},
	"next_issue":        {"Next issue", "下一期", "下一期", "次の号"},
	"web_page":          {"Web page", "网页", "網頁", "ウェブページ"},
	"greeting":          {"Hi there,", "你好：", "你好：", "こんにちは。"},
	"greeting_name":     {"Hi %s,", "你好，%s：", "你好，%s：", "%sさん、こんにちは。"},
	"on_the_web":        {"On the web: %s", "网页版：%s", "網頁版：%s", "ウェブ版：%s"},
	"because":           {"You are receiving this because %s subscribed to %s.", "你收到这封邮件，是因为 %s 订阅了%s。", "你收到這封郵件，是因為 %s 訂閱了%s。", "%s で%sを購読しているため、このメールをお送りしています。"},
	"site_url":          {"%s (%s)", "%s（%s）", "%s（%s）", "%s（%s）"},
	"unsubscribe":       {"Unsubscribe", "退订", "取消訂閱", "購読をやめる"},
	"unsubscribe_colon": {"Unsubscribe: %s", "退订：%s", "取消訂閱：%s", "購読をやめる：%s"},

	// The double opt-in mail.
	"confirm_subject":  {"Confirm your subscription to %s", "请确认订阅%s", "請確認訂閱%s", "%sの購読を確認してください"},
	"confirm_ask":      {"Someone (hopefully you) asked to subscribe %s to %s. Please confirm:", "有人（希望是你）想用 %s 订阅%s。请点击下面的按钮确认：", "有人（希望是你）想用 %s 訂閱%s。請點擊下面的按鈕確認：", "どなたか（きっとあなた）が %s で%sの購読を申し込みました。確認してください："},
	"confirm_ask_text": {"Someone (hopefully you) asked to subscribe %s to %s. To confirm, open this link:", "有人（希望是你）想用 %s 订阅%s。请打开下面的链接确认：", "有人（希望是你）想用 %s 訂閱%s。請打開下面的連結確認：", "どなたか（きっとあなた）が %s で%sの購読を申し込みました。次のリンクを開いて確認してください："},
	"confirm_button":   {"Confirm subscription", "确认订阅", "確認訂閱", "購読を確認する"},
	"confirm_copy":     {"If the button does not work, copy this link into your browser:", "按钮打不开时，请复制这个链接到浏览器：", "按鈕打不開時，請複製這個連結到瀏覽器：", "ボタンが使えないときは、このリンクをブラウザにコピーしてください："},
	"confirm_expires":  {"The link works until %s. If you did not ask for this, ignore this mail: you will get nothing more from us.", "链接在 %s 之前有效。如果不是你本人申请的，请忽略这封邮件，我们不会再给你发信。", "連結在 %s 之前有效。如果不是你本人申請的，請忽略這封郵件，我們不會再給你發信。", "リンクは %s まで有効です。お心当たりがなければ、このメールは無視してください。今後お送りすることはありません。"},

	// The confirmation page.
	"confirm_title":        {"Confirm your subscription", "确认订阅", "確認訂閱", "購読の確認"},
	"confirm_heading":      {"Confirm your subscription to %s", "确认订阅《%s》", "確認訂閱《%s》", "%sの購読を確認"},
	"confirm_lead":         {"Send the weekly issue to %s.", "每周把新的剪藏发送到 %s。", "每週把新的剪藏發送到 %s。", "毎週の号を %s にお送りします。"},
	"confirm":              {"Confirm", "确认订阅", "確認訂閱", "確認する"},
	"confirm_ignore":       {"Did not ask for it? Ignore this page: nothing is sent unless you confirm.", "如果不是你本人申请的，忽略即可：不确认就不会订阅。", "如果不是你本人申請的，忽略即可：不確認就不會訂閱。", "お申し込みでなければ、このページは無視してください。確認しない限り何も送られません。"},
	"subscribed_heading":   {"You are subscribed", "订阅成功", "訂閱成功", "購読を開始しました"},
	"subscribed_lead":      {"The next issue of %s goes to %s. Every mail has a link to unsubscribe.", "下一期《%s》会发送到 %s。每封邮件底部都有退订链接。", "下一期《%s》會發送到 %s。每封郵件底部都有取消訂閱連結。", "%sの次の号を %s にお送りします。どのメールにも購読をやめるリンクがあります。"},
	"subscribed_meanwhile": {"Meanwhile, read the %s.", "先看看%s吧。", "先看看%s吧。", "それまでは%sをどうぞ。"},
	"past_issues":          {"past issues", "往期内容", "往期內容", "バックナンバー"},

	// The unsubscribe page.
	"unsubscribe_heading":  {"Unsubscribe from %s?", "退订《%s》？", "取消訂閱《%s》？", "%sの購読をやめますか？"},
	"unsubscribe_lead":     {"Stop sending the weekly issue to %s.", "不再向 %s 发送每周的剪藏周报。", "不再向 %s 發送每週的剪藏週報。", "%s への毎週の配信を止めます。"},
	"unsubscribe_only":     {"Opening this page changes nothing: only the button unsubscribes.", "仅打开此页面不会退订，需点击上面的按钮。", "僅打開此頁面不會取消訂閱，需點擊上面的按鈕。", "このページを開いただけでは何も変わりません。ボタンを押すと購読をやめます。"},
	"unsubscribed_heading": {"You are unsubscribed", "已退订", "已取消訂閱", "購読をやめました"},
	"unsubscribed_lead":    {"%s will get no more issues of %s.", "%s 不会再收到《%s》。", "%s 不會再收到《%s》。", "%s には今後%sをお送りしません。"},
	"unsubscribed_changed": {"Changed your mind? Subscribe again from the %s, or follow the %s.", "改变主意了？可以在%s重新订阅；也可以用 %s 阅读。", "改變主意了？可以在%s重新訂閱；也可以用 %s 閱讀。", "気が変わったら、%sからもう一度購読できます。%sでも読めます。"},
	"archive":              {"archive", "往期页面", "往期頁面", "バックナンバーのページ"},
	"rss_feed":             {"RSS feed", "RSS", "RSS", "RSS フィード"},

	// Short messages of the server.
	"sent_heading":        {"Check your inbox", "请查收邮件", "請查收郵件", "メールをご確認ください"},
	"sent_lead":           {"If the address can subscribe, a confirmation link is on its way. Open it to finish subscribing; it works for 48 hours.", "如果这个地址可以订阅，确认链接已经发出。点击邮件中的链接即可完成订阅；链接 48 小时内有效。", "如果這個地址可以訂閱，確認連結已經發出。點擊郵件中的連結即可完成訂閱；連結 48 小時內有效。", "このアドレスで購読できる場合は、確認のリンクをお送りしました。リンクを開くと購読が完了します。有効期限は 48 時間です。"},
	"badaddress_heading":  {"That address does not look right", "邮箱地址无效", "電子郵件地址無效", "メールアドレスが正しくないようです"},
	"badaddress_lead":     {"Enter a whole email address, such as name@example.com.", "请输入完整的邮箱地址，例如 name@example.com。", "請輸入完整的電子郵件地址，例如 name@example.com。", "name@example.com のように、メールアドレスを省略せずに入力してください。"},
	"limited_heading":     {"Too many requests", "请求过于频繁", "請求過於頻繁", "リクエストが多すぎます"},
	"limited_lead":        {"Please try again in a little while.", "请稍后再试。", "請稍後再試。", "しばらくしてからもう一度お試しください。"},
	"badtoken_heading":    {"This link is not valid", "链接无效", "連結無效", "このリンクは無効です"},
	"badtoken_lead":       {"It is incomplete or was changed, and nothing was done. Copy the whole link from the email.", "这个链接不完整或已被修改，什么都没有改变。请从邮件中复制完整的链接。", "這個連結不完整或已被修改，什麼都沒有改變。請從郵件中複製完整的連結。", "リンクが不完全か書き換えられているため、何も変更していません。メールからリンク全体をコピーしてください。"},
	"expired_heading":     {"This link has expired", "链接已过期", "連結已過期", "このリンクは期限切れです"},
	"expired_lead":        {"Subscribe again from the %s to get a new one.", "确认链接已失效。请在%s重新订阅，我们会再发一封。", "確認連結已失效。請在%s重新訂閱，我們會再發一封。", "%sからもう一度購読すると、新しいリンクをお送りします。"},
	"unavailable_heading": {"Something went wrong", "暂时无法处理", "暫時無法處理", "問題が発生しました"},
	"unavailable_lead":    {"Nothing was changed. Please try again in a little while.", "请稍后再试，什么都没有改变。", "請稍後再試，什麼都沒有改變。", "何も変更していません。しばらくしてからもう一度お試しください。"},
	"method_heading":      {"Method not allowed", "不支持的请求", "不支援的請求", "この操作はできません"},
	"badpath_heading":     {"Bad address", "无效的地址", "無效的地址", "アドレスが正しくありません"},
	"notfound_heading":    {"Page not found", "找不到页面", "找不到頁面", "ページが見つかりません"},
	"notfound_lead":       {"Try the %s.", "看看%s吧。", "看看%s吧。", "%sをご覧ください。"},

	// The subscribe form, and the server's answers to it.
	"send_me":            {"Send me:", "想收到：", "想收到：", "受け取るタグ："},
	"deferred_lead":      {"Many people are subscribing right now: if the address can subscribe, its confirmation link goes out within %d minutes. It works for 48 hours.", "现在订阅的人很多：如果这个地址可以订阅，确认邮件会在 %d 分钟内发出。链接 48 小时内有效。", "現在訂閱的人很多：如果這個地址可以訂閱，確認郵件會在 %d 分鐘內發出。連結 48 小時內有效。", "ただいま申し込みが集中しています。このアドレスで購読できる場合、確認のリンクは %d 分以内にお送りします。有効期限は 48 時間です。"},
	"deferred_lead.one":  {"Many people are subscribing right now: if the address can subscribe, its confirmation link goes out within %d minute. It works for 48 hours.", "", "", ""},
	"limited_wait":       {"Nothing was sent. Please try again in %d minutes.", "这次什么都没有发送。请在 %d 分钟后再试。", "這次什麼都沒有發送。請在 %d 分鐘後再試。", "何も送っていません。%d 分後にもう一度お試しください。"},
	"limited_wait.one":   {"Nothing was sent. Please try again in %d minute.", "", "", ""},
	"used_heading":       {"This link was used already", "链接已经用过", "連結已經用過", "このリンクは使用済みです"},
	"used_lead":          {"A confirmation link works once. If you are not subscribed yet, subscribe again from the %s.", "每个确认链接只能用一次。如果还没有订阅成功，请在%s重新订阅。", "每個確認連結只能用一次。如果還沒有訂閱成功，請在%s重新訂閱。", "確認のリンクは一度しか使えません。まだ購読できていなければ、%sからもう一度お申し込みください。"},
	"left_heading":       {"This address has left", "这个地址已经退订", "這個地址已經取消訂閱", "このアドレスは購読をやめています"},
	"left_lead":          {"It unsubscribed (or its mail bounced) after this link was sent, so it was not subscribed again. To come back, subscribe again from the %s.", "这个链接发出之后，该地址退订了（或邮件被退回），所以没有重新订阅。想再订阅，请在%s重新申请。", "這個連結發出之後，該地址取消了訂閱（或郵件被退回），所以沒有重新訂閱。想再訂閱，請在%s重新申請。", "このリンクを送った後に購読をやめた（またはメールが届かなかった）ため、購読は再開していません。再開するには%sからもう一度お申し込みください。"},
	"badrequest_heading": {"Bad request", "无效的请求", "無效的請求", "リクエストが正しくありません"},
	"nothing_changed":    {"Nothing was changed.", "什么都没有改变。", "什麼都沒有改變。", "何も変更していません。"},
	"subscribed_prefs":   {"You can also %s.", "也可以%s。", "也可以%s。", "%sこともできます。"},
	"choose_tags":        {"choose what you get", "选择想收到的标签", "選擇想收到的標籤", "受け取るタグを選ぶ"},

	// The preferences page.
	"prefs_title":        {"Your subscription", "订阅设置", "訂閱設定", "購読の設定"},
	"prefs_heading":      {"Your subscription to %s", "《%s》订阅设置", "《%s》訂閱設定", "%sの購読設定"},
	"prefs_address":      {"Address: %s", "地址：%s", "地址：%s", "アドレス：%s"},
	"prefs_saved":        {"Saved.", "已保存。", "已儲存。", "保存しました。"},
	"prefs_notags":       {"Choose at least one tag, or leave.", "请至少选择一个标签，或者退订。", "請至少選擇一個標籤，或者取消訂閱。", "タグを少なくとも一つ選ぶか、購読をやめてください。"},
	"prefs_left":         {"This address has left and gets no more mail. To come back, subscribe again from the %s.", "这个地址已经退订，不会再收到邮件。想再订阅，请在%s重新申请。", "這個地址已經取消訂閱，不會再收到郵件。想再訂閱，請在%s重新申請。", "このアドレスは購読をやめており、メールは届きません。再開するには%sからお申し込みください。"},
	"prefs_tags":         {"Tags to get", "想收到的标签", "想收到的標籤", "受け取るタグ"},
	"prefs_pause":        {"Pause", "暂停", "暫停", "一時停止"},
	"prefs_pause_label":  {"Send me nothing for now", "暂时不发邮件给我", "暫時不寄郵件給我", "しばらく何も送らない"},
	"prefs_save":         {"Save", "保存", "儲存", "保存"},
	"prefs_leave":        {"Leave", "退订", "取消訂閱", "購読をやめる"},
	"prefs_file":         {"This address is on the owner's list: its tags are set by the owner.", "这个地址在站长的名单上，标签由站长设置。", "這個地址在站長的名單上，標籤由站長設定。", "このアドレスは発行者のリストにあり、タグは発行者が設定します。"},
	"prefs_only_buttons": {"Opening this page changes nothing: only the buttons do.", "打开此页面不会改变任何设置，只有按钮会。", "打開此頁面不會改變任何設定，只有按鈕會。", "このページを開いただけでは何も変わりません。ボタンを押したときだけ変わります。"},
	"preferences":        {"Preferences", "订阅设置", "訂閱設定", "購読の設定"},
	"preferences_colon":  {"Your tags, pause or leave: %s", "订阅设置（标签、暂停、退订）：%s", "訂閱設定（標籤、暫停、取消訂閱）：%s", "購読の設定（タグ・一時停止・停止）：%s"},

	// The welcome mail.
	"welcome_subject": {"Welcome to %s", "欢迎订阅%s", "歡迎訂閱%s", "%sへようこそ"},
	"welcome_lead":    {"Welcome to %s! Every issue goes to %s.", "欢迎订阅%s！每期会发送到 %s。", "歡迎訂閱%s！每期會發送到 %s。", "%sへようこそ。毎号 %s にお送りします。"},
	"welcome_tags":    {"You chose: %s", "你选择了：%s", "你選擇了：%s", "選んだタグ：%s"},
	"welcome_latest":  {"The latest issue: %s", "最新一期：%s", "最新一期：%s", "最新号：%s"},
	"welcome_prefs":   {"Choose your tags, pause or leave at any time:", "随时可以更改想收到的标签、暂停或退订：", "隨時可以更改想收到的標籤、暫停或取消訂閱：", "タグの選択、一時停止、購読の停止はいつでもこちらから："},

	// The preview page of the owner.
	"preview":          {"Preview", "预览", "預覽", "プレビュー"},
	"preview_rendered": {"rendered %s · reload to render again", "渲染于 %s · 刷新即重新渲染", "渲染於 %s · 重新整理即重新渲染", "%s に表示 · 再読み込みで再表示"},
	"preview_existing": {"(built before: this is the issue a send would deliver)", "（之前已生成：send 会发送这一期）", "（之前已產生：send 會發送這一期）", "（作成済み：send で配信されるのはこの号です）"},
	"email_html":       {"Email (HTML)", "邮件（HTML）", "郵件（HTML）", "メール（HTML）"},
	"email_text":       {"Email (plain text)", "邮件（纯文本）", "郵件（純文字）", "メール（テキスト）"},
	"download_eml":     {"Download .eml", "下载 .eml", "下載 .eml", ".eml をダウンロード"},
	"preview_to":       {"The email is shown as sent to %s, who gets every tag.", "邮件按发给 %s 的样子显示，该地址接收所有标签。", "郵件按發給 %s 的樣子顯示，該地址接收所有標籤。", "メールは %s（すべてのタグを受け取る）宛てとして表示しています。"},
	"nothing_to_send":  {"Nothing to send now", "现在没有可发送的内容", "現在沒有可發送的內容", "いま送るものはありません"},
	"picked":           {"Picked (%d)", "选中（%d）", "選中（%d）", "採用（%d）"},
	"left_out":         {"Left out (%d)", "未选（%d）", "未選（%d）", "見送り（%d）"},
	"none":             {"None.", "无。", "無。", "なし。"},
	"none_older":       {"None: clippings older than the issue's window are not listed.", "无：早于本期时间范围的剪藏不列出。", "無：早於本期時間範圍的剪藏不列出。", "なし：この号の期間より古いクリップは表示しません。"},
	"unreadable":       {"Files that could not be read (%d)", "无法读取的文件（%d）", "無法讀取的檔案（%d）", "読めなかったファイル（%d）"},
}

// T returns the catalogue's text for key in lang (a catalogue language,
// see UILang), formatted with args. In English, a count of 1 as the first
// argument picks the key's ".one" form. An unknown key is returned as it
// is, so a missing word shows rather than breaking a page.
func T(lang, key string, args ...any) string {
	return fmt.Sprintf(format(lang, key, args), args...)
}

func format(lang, key string, args []any) string {
	if len(args) > 0 && args[0] == 1 {
		if m, ok := catalog[key+".one"]; ok {
			if f := m.in(lang); f != "" {
				return f
			}
		}
	}
	m, ok := catalog[key]
	if !ok {
		return key + strings.Repeat(" %v", len(args))
	}
	if f := m.in(lang); f != "" {
		return f
	}
	return m.en
}

// THTML is T for an HTML page: the text is escaped, and so is every
// argument that is not already htmltemplate.HTML, such as a link.
func THTML(lang, key string, args ...any) htmltemplate.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case htmltemplate.HTML:
			esc[i] = a
		case string:
			esc[i] = htmltemplate.HTMLEscapeString(a)
		default:
			esc[i] = htmltemplate.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return htmltemplate.HTML(fmt.Sprintf(htmltemplate.HTMLEscapeString(format(lang, key, args)), esc...))
}

// Day writes a date the way lang writes it: "December 1, 2026",
// "2026年12月1日".
func Day(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == LangEN {
		return t.Format("January 2, 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// MonthDay writes a date without its year: "December 1", "12 月 1 日",
// "12月1日".
func MonthDay(lang string, t time.Time) string {
	switch lang {
	case LangEN:
		return t.Format("January 2")
	case LangJA:
		return fmt.Sprintf("%d月%d日", int(t.Month()), t.Day())
	}
	return fmt.Sprintf("%d 月 %d 日", int(t.Month()), t.Day())
}

// IssueTitle is the title of an issue without an editor's note: which issue
// it is and its date, in the site's language, without ISO-week jargon (an
// all-CJK subject with a lone "W48" also reads as shouting to spam filters).
func IssueTitle(site Site, number int, date time.Time) string {
	lang := UILang(site.Language)
	return T(lang, "issue_title", site.Title, number, MonthDay(lang, date))
}

// FuncsFor returns the template helpers of Funcs with the words and dates
// of the site language: {{t "subscribe"}}, {{t "clippings" 3}},
// {{th "because" .Email $link}} (HTML, escaping what is not already HTML),
// {{day .Issue.Date}}, {{font .Lang}} (a CSS font stack for a language).
func FuncsFor(language string) map[string]any {
	lang := UILang(language)
	f := maps.Clone(Funcs)
	f["t"] = func(key string, args ...any) string { return T(lang, key, args...) }
	f["th"] = func(key string, args ...any) htmltemplate.HTML { return THTML(lang, key, args...) }
	f["day"] = func(t time.Time) string { return Day(lang, t) }
	f["uilang"] = func() string { return lang }
	return f
}

// Addr is an e-mail address set apart in a sentence of a page:
// <strong class="address">…</strong>.
func Addr(email string) htmltemplate.HTML {
	return htmltemplate.HTML(`<strong class="address">` + htmltemplate.HTMLEscapeString(email) + `</strong>`)
}

// Link is an HTML link to href (http, https, mailto or relative) with text,
// for a catalogue sentence that holds one: {{th "because" .Email (link $url .Site.Title)}}.
func Link(href, text string) htmltemplate.HTML {
	if u, err := url.Parse(href); err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
		href = "#ZgotmplZ"
	}
	return htmltemplate.HTML(`<a href="` + htmltemplate.HTMLEscapeString(href) + `">` + htmltemplate.HTMLEscapeString(text) + `</a>`)
}
